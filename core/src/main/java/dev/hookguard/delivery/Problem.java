package dev.hookguard.delivery;

import dev.hookguard.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem, the body of every refusal. Its fields are written by Hookguard and never hold the
 * request body, a secret or an expected signature.
 *
 * @param type   a URI naming the kind of problem
 * @param title  a short summary of the kind
 * @param status the HTTP status
 * @param detail what went wrong with this request
 * @param code   a stable machine-readable reason, e.g. {@code signature_mismatch}
 */
public record Problem(String type, String title, int status, String detail, String code) {

    /** {@code application/problem+json}. */
    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(int status, String code, String title, String detail) {
        return new Problem("https://hookguard.dev/problems/" + code.replace('_', '-'), title, status, detail, code);
    }

    /** The problem as JSON bytes. */
    public byte[] toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", type);
        fields.put("title", title);
        fields.put("status", status);
        fields.put("detail", detail);
        fields.put("code", code);
        return Json.writeObject(fields);
    }
}
