package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every way an endpoint refuses a delivery, with its status, code, title and headers: the README's status table,
 * as code (a test checks that the two are equal). Refusals carry an RFC 9457 problem body; none of them holds the
 * request body, a secret or an expected signature.
 */
public enum Refusal {

    /** Not POST. */
    METHOD_NOT_ALLOWED(405, "method_not_allowed", "Method not allowed", "webhooks are delivered with POST", Connection.CLOSE_WHEN_BODY_FOLLOWS,
            false, "POST"),
    /** A Content-Type that is not JSON. */
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "Unsupported media type", "webhook bodies are application/json",
            Connection.CLOSE_WHEN_BODY_FOLLOWS),
    /** The path as sent has {@code //}, {@code /./}, {@code /../}, {@code ;}, or an encoded dot or slash. */
    PATH_NOT_CANONICAL(404, "path_not_canonical", "Not found", "deliveries are accepted only at the endpoint's exact path", Connection.CLOSE),
    /** The body is over the limit: read no further than the limit and one byte. */
    BODY_TOO_LARGE(413, "body_too_large", "Body too large", "the body is larger than the limit", Connection.CLOSE),
    /** The body could not be read. */
    BODY_UNREADABLE(400, "body_unreadable", "Body not readable", "the request body could not be read", Connection.CLOSE),
    /** The body arrived slower than the deadline or the rate floor. */
    BODY_TOO_SLOW(408, "body_too_slow", "Request timeout", "the body did not arrive within the time and rate this endpoint allows",
            Connection.CLOSE),
    /** The bodies being read at once would hold more than the body budget. */
    BODY_BUDGET_EXHAUSTED(503, "body_budget_exhausted", "Temporarily unavailable",
            "too many webhook bodies are being received right now; try again later", Connection.CLOSE, true),
    /** Too many blocking reads wait on slow peers. */
    TOO_MANY_SLOW_BODIES(503, "too_many_slow_bodies", "Temporarily unavailable",
            "too many webhook bodies are arriving slowly right now; try again later", Connection.CLOSE, true),
    /** A secret resolver is used and the tenant header is missing. */
    TENANT_MISSING(401, "tenant_missing", "Invalid signature", "the tenant header is missing", Connection.KEEP),
    /** No signature header, or an empty one. */
    SIGNATURE_MISSING(401, "signature_missing", "Invalid signature", "the signature header is missing", Connection.KEEP),
    /** A signature header that is not the scheme's form. */
    SIGNATURE_MALFORMED(401, "signature_malformed", "Invalid signature", "the signature header is malformed", Connection.KEEP),
    /** A well-formed signature that no current secret produces over these bytes (or an unknown tenant: the same answer). */
    SIGNATURE_MISMATCH(401, "signature_mismatch", "Invalid signature", "the signature does not match the body for any current secret",
            Connection.KEEP),
    /** The application's secret resolver failed. */
    SECRETS_UNAVAILABLE(503, "secrets_unavailable", "Temporarily unavailable",
            "the secrets to verify this delivery cannot be looked up right now; try again later", Connection.KEEP, true),
    /** Verified, but not a payload of this sender. */
    INVALID_PAYLOAD(400, "invalid_payload", "Not a %s payload", "the body could not be parsed", Connection.KEEP),
    /** The same delivery is being handled right now. */
    IN_FLIGHT(409, "in_flight", "Delivery in progress", "the same delivery is being handled right now; try again later", Connection.KEEP, true),
    /** The idempotency store failed. */
    STORE_UNAVAILABLE(503, "store_unavailable", "Temporarily unavailable", "the delivery cannot be recorded right now; try again later",
            Connection.KEEP, true),
    /** Inbox mode: the delivery could not be stored (the database is down or slower than the store timeout). */
    INBOX_UNAVAILABLE(503, "inbox_unavailable", "Temporarily unavailable", "the delivery cannot be stored right now; try again later",
            Connection.KEEP, true),
    /** Verified, but nothing in the application handles it: released, never marked done. */
    NOT_HANDLED(404, "not_handled", "No handler", "nothing in this application handles this delivery; it was not recorded", Connection.KEEP),
    /** The handler threw: released, so that a retry is handled. */
    HANDLER_FAILED(500, "handler_failed", "Webhook handler failed",
            "the application failed to handle this delivery; it may be delivered again", Connection.KEEP);

    /** What becomes of the connection after the answer. */
    public enum Connection {
        /** Kept: the body was read whole. */
        KEEP,
        /** Closed: the body was left unread. */
        CLOSE,
        /** Closed when the request declared a body, which nobody reads; refused before the body. */
        CLOSE_WHEN_BODY_FOLLOWS
    }

    private final int status;
    private final String code;
    private final String title;
    private final String detail;
    private final Connection connection;
    private final boolean retryAfter;
    private final String allow;

    Refusal(int status, String code, String title, String detail, Connection connection) {
        this(status, code, title, detail, connection, false, null);
    }

    Refusal(int status, String code, String title, String detail, Connection connection, boolean retryAfter) {
        this(status, code, title, detail, connection, retryAfter, null);
    }

    Refusal(int status, String code, String title, String detail, Connection connection, boolean retryAfter, String allow) {
        this.status = status;
        this.code = code;
        this.title = title;
        this.detail = detail;
        this.connection = connection;
        this.retryAfter = retryAfter;
        this.allow = allow;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The problem's stable code, such as {@code signature_mismatch}. */
    public String code() {
        return code;
    }

    /** What becomes of the connection. */
    public Connection connection() {
        return connection;
    }

    /** The methods the answer's {@code Allow} header names, when it has one (a 405). */
    public java.util.Optional<String> allow() {
        return java.util.Optional.ofNullable(allow);
    }

    /** Whether the answer says when to retry ({@code Retry-After}, the endpoint's {@code retryAfterSeconds}). */
    public boolean retryAfter() {
        return retryAfter;
    }

    /**
     * Whether the request itself was refused (one WARN line with the peer). {@link #NOT_HANDLED} and
     * {@link #HANDLER_FAILED} are about the application, and are logged where they happen, with the key or the trace.
     */
    boolean refusesTheRequest() {
        return this != NOT_HANDLED && this != HANDLER_FAILED;
    }

    /** The detail a problem of this kind carries when nothing about the request adds to it. */
    String detail() {
        return detail;
    }

    /** The outcome to answer, with this refusal's own detail. Pure: nothing is logged or told. */
    Outcome outcome(SignatureScheme scheme, int retryAfterSeconds, boolean bodyFollows) {
        return outcome(scheme, retryAfterSeconds, bodyFollows, detail);
    }

    /** The outcome to answer, with a detail about this request (never its body, a secret or a signature). */
    Outcome outcome(SignatureScheme scheme, int retryAfterSeconds, boolean bodyFollows, String requestDetail) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (allow != null) {
            headers.put("Allow", allow);
        }
        if (retryAfter) {
            headers.put("Retry-After", Integer.toString(retryAfterSeconds));
        }
        if (connection == Connection.CLOSE || connection == Connection.CLOSE_WHEN_BODY_FOLLOWS && bodyFollows) {
            headers.put("Connection", "close");
        }
        String senderTitle = title.contains("%s") ? title.formatted(scheme == SignatureScheme.MAUTIC ? "Mautic" : "Malcolm!") : title;
        return new Outcome(status, headers, java.util.Optional.of(Problem.of(status, code, senderTitle, requestDetail)), new Outcome.Refused(this));
    }
}
