package dev.hookguard.delivery;

import java.util.Objects;

/**
 * One received webhook request: what the adapter read off the wire, before anything was decided.
 *
 * @param method        the HTTP method
 * @param headers       the request headers, looked up ignoring case
 * @param body          the raw body bytes, exactly as received
 * @param remoteAddress the peer's address, for refusal logs; may be {@code null}
 */
public record Delivery(String method, Headers headers, byte[] body, String remoteAddress) {

    public Delivery {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    /** The {@code Content-Type} header, or {@code null}. */
    public String contentType() {
        return headers.get("Content-Type");
    }

    @Override
    public String toString() {
        // Never the body.
        return "Delivery[" + method + ", " + body.length + " bytes from " + remoteAddress + "]";
    }
}
