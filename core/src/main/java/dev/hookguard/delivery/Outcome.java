package dev.hookguard.delivery;

import java.util.Map;
import java.util.Optional;

/**
 * What the receiver answers: a status, extra headers, on failure a {@link Problem}, and what became of the delivery
 * ({@link Result}). Adapters write it as is. Building one is pure: nothing is logged or told until the delivery settles.
 *
 * @param status  the HTTP status
 * @param headers extra response headers ({@code Allow}, {@code Retry-After}, {@code Connection})
 * @param problem the problem body of a refusal; empty for a success
 * @param result  handled, duplicate, stored, or refused with its {@link Refusal}
 */
public record Outcome(int status, Map<String, String> headers, Optional<Problem> problem, Result result) {

    public Outcome {
        headers = Map.copyOf(headers);
        java.util.Objects.requireNonNull(problem, "problem");
        java.util.Objects.requireNonNull(result, "result");
    }

    /** What became of a delivery; {@link #code()} is the code metrics and logs use. */
    public sealed interface Result permits Handled, Duplicate, Stored, Abandoned, Refused, Downstream {
        /** {@code handled}, {@code duplicate}, {@code stored}, {@code abandoned}, or the refusal's code. */
        String code();
    }

    /** A handler (or the application's own code) took it. */
    public record Handled() implements Result {
        @Override
        public String code() {
            return "handled";
        }
    }

    /** Handled (or stored) before: answered 2xx, not handled again. */
    public record Duplicate() implements Result {
        @Override
        public String code() {
            return "duplicate";
        }
    }

    /** Inbox mode: stored durably, handled later by the inbox's workers. */
    public record Stored() implements Result {
        @Override
        public String code() {
            return "stored";
        }
    }

    /** The peer went away before the body ended; nothing was answered. */
    public record Abandoned() implements Result {
        @Override
        public String code() {
            return "abandoned";
        }
    }

    /** Without handlers: the application's own code (a servlet, a route, a controller) answered this status, not 2xx. */
    public record Downstream(int status) implements Result {
        @Override
        public String code() {
            return "downstream_" + status;
        }
    }

    /** Refused, for this reason. */
    public record Refused(Refusal refusal) implements Result {
        @Override
        public String code() {
            return refusal.code();
        }
    }

    /** True for 2xx: handled, stored, or a duplicate of a delivery handled before. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The refusal, when the delivery was refused. */
    public Optional<Refusal> refusal() {
        return result instanceof Refused refused ? Optional.of(refused.refusal()) : Optional.empty();
    }

    /** True when the request's body was left unread, so the connection must close after this answer. */
    public boolean closesConnection() {
        return "close".equalsIgnoreCase(headers.get("Connection"));
    }

    /** The body to write: the problem's JSON, or nothing. */
    public byte[] body() {
        return problem.map(Problem::toJson).orElse(new byte[0]);
    }

    /** The body's content type, or {@code null} when there is no body. */
    public String contentType() {
        return problem.isPresent() ? Problem.MEDIA_TYPE : null;
    }

    static Outcome stored() {
        return new Outcome(202, Map.of(), Optional.empty(), new Stored());
    }

    static Outcome handled() {
        return new Outcome(200, Map.of(), Optional.empty(), new Handled());
    }

    static Outcome duplicate() {
        return new Outcome(200, Map.of(), Optional.empty(), new Duplicate());
    }
}
