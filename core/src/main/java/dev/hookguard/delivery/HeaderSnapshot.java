package dev.hookguard.delivery;

/**
 * Request headers copied into one array of alternating names and values. A request carries a dozen headers or
 * so, and a scan with {@code equalsIgnoreCase} (which compares lengths first) costs less than building a
 * case-insensitive tree.
 */
final class HeaderSnapshot implements Headers {

    /** Above this many headers a tree is used instead, so that a request with very many stays linear to copy. */
    static final int MAX_SCANNED = 64;

    private final String[] namesAndValues;
    private final int length;

    private static final java.util.List<String> SENDER_HEADERS = java.util.List.of("Content-Type", "User-Agent", "Webhook-Signature",
            "X-Origin-Base-URL", "X-Signature", "X-Instance-Id");

    /** The request's headers as they are now: adapters recycle their requests. The senders' own headers come first. */
    static Headers of(IncomingRequest request) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String name : SENDER_HEADERS) {
            String value = request.header(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        for (String name : request.headerNames()) {
            String value = request.header(name);
            if (value != null) {
                headers.putIfAbsent(name, value);
            }
        }
        return Headers.of(headers);
    }

    /** Takes {@code namesAndValues} as it is (the caller's own copy); of names equal but for case, the first wins. */
    HeaderSnapshot(String[] namesAndValues, int length) {
        int kept = 0;
        for (int i = 0; i < length; i += 2) {
            String name = namesAndValues[i];
            if (name != null && namesAndValues[i + 1] != null && indexOf(namesAndValues, kept, name) < 0) {
                namesAndValues[kept] = name;
                namesAndValues[kept + 1] = namesAndValues[i + 1];
                kept += 2;
            }
        }
        this.namesAndValues = namesAndValues;
        this.length = kept;
    }

    private static int indexOf(String[] namesAndValues, int length, String name) {
        for (int i = 0; i < length; i += 2) {
            if (namesAndValues[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String get(String name) {
        // Senders and servers write the usual capitalisation: an exact comparison (an intrinsic) finds most at once.
        for (int i = 0; i < length; i += 2) {
            if (namesAndValues[i].equals(name)) {
                return namesAndValues[i + 1];
            }
        }
        int i = indexOf(namesAndValues, length, name);
        return i < 0 ? null : namesAndValues[i + 1];
    }
}
