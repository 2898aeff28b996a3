package dev.hookguard.delivery;

import java.util.Map;
import java.util.Optional;

/**
 * What the receiver answers: a status, extra headers, and on failure a {@link Problem}. Adapters write it as is.
 *
 * @param status  the HTTP status
 * @param headers extra response headers ({@code Allow}, {@code Retry-After})
 * @param problem the problem body of a refusal; empty for a success
 */
public record Outcome(int status, Map<String, String> headers, Optional<Problem> problem) {

    public Outcome {
        headers = Map.copyOf(headers);
    }

    /** True for 2xx: handled, or a duplicate of a delivery handled before. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
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

    Outcome withHeader(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new Outcome(status, more, problem);
    }

    static Outcome accepted() {
        return new Outcome(202, Map.of(), Optional.empty());
    }

    static Outcome ok() {
        return new Outcome(200, Map.of(), Optional.empty());
    }

    static Outcome refuse(int status, String code, String title, String detail) {
        return refuse(status, Map.of(), code, title, detail);
    }

    static Outcome refuse(int status, Map<String, String> headers, String code, String title, String detail) {
        return new Outcome(status, headers, Optional.of(Problem.of(status, code, title, detail)));
    }
}
