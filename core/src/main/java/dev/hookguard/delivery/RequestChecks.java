package dev.hookguard.delivery;

import java.util.Locale;

/**
 * The first stage, before a byte of body is read: the method (POST), the content type (JSON), the path as sent
 * and the declared length. Pure: the refusal it returns is answered and settled by the caller.
 */
final class RequestChecks {

    private RequestChecks() {
    }

    /** The refusal for a request refused before its body, or {@code null} to go on reading it. */
    static Refusal beforeBody(String method, String contentType, String path, long contentLength, int maxBodyBytes) {
        Refusal refusal = methodAndType(method, contentType);
        if (refusal != null) {
            return refusal;
        }
        if (path != null && !isCanonicalPath(path)) {
            // The container may map /a//b or /a/./b to this endpoint while the application's own routing does not:
            // refused before anything is read or claimed, so such a typo can neither be acknowledged nor mark a key done.
            return Refusal.PATH_NOT_CANONICAL;
        }
        return contentLength > maxBodyBytes ? Refusal.BODY_TOO_LARGE : null;
    }

    /** The method and content type of a delivery already read. */
    static Refusal methodAndType(String method, String contentType) {
        if (!"POST".equalsIgnoreCase(method)) {
            return Refusal.METHOD_NOT_ALLOWED;
        }
        return contentType != null && !isJson(contentType) ? Refusal.UNSUPPORTED_MEDIA_TYPE : null;
    }

    /**
     * A request path as sent, before any container normalised it: no empty, {@code .} or {@code ..} segment, no
     * path parameter, no encoded dot, slash or backslash.
     */
    static boolean isCanonicalPath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.contains("//") || path.indexOf(';') >= 0 || path.indexOf('\\') >= 0) {
            return false;
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** {@code application/json} or {@code application/*+json}, any case, parameters ignored; read in place, no copies. */
    static boolean isJson(String contentType) {
        int end = contentType.indexOf(';');
        if (end < 0) {
            end = contentType.length();
        }
        int start = 0;
        while (start < end && Character.isWhitespace(contentType.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(contentType.charAt(end - 1))) {
            end--;
        }
        int length = end - start;
        if (length == 16) {
            return asciiEqualsIgnoreCase(contentType, start, "application/json");
        }
        return length >= 17 && asciiEqualsIgnoreCase(contentType, start, "application/")
                && asciiEqualsIgnoreCase(contentType, end - 5, "+json");
    }

    /** Whether {@code s} holds {@code lowerAscii} at {@code from}, ASCII letters in any case (no other folding). */
    private static boolean asciiEqualsIgnoreCase(String s, int from, String lowerAscii) {
        for (int i = 0; i < lowerAscii.length(); i++) {
            char c = s.charAt(from + i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
