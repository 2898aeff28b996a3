package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;

/**
 * What an adapter gives the endpoint before the body is read, so that the endpoint reads no more than its
 * limit. Servlet, Spring and Javalin adapters implement it in a few lines.
 */
public interface IncomingRequest {

    String method();

    /** A header's first value, ignoring case; {@code null} when absent. */
    String header(String name);

    /**
     * The names of all headers sent, so the {@link Delivery} can keep them after the request is gone. The
     * headers both senders use are kept even when this is empty.
     */
    default Collection<String> headerNames() {
        return List.of();
    }

    /**
     * The request's path as the peer sent it, before the container normalised it ({@code getRequestURI()} in
     * servlets), without the query; {@code null} when unknown, which skips the canonical-path check.
     */
    default String path() {
        return null;
    }

    /** The declared {@code Content-Length}, or {@code -1} when unknown (chunked). */
    long contentLength();

    /** The body stream; the endpoint reads at most its limit plus one byte. */
    InputStream body() throws IOException;

    /** The peer's address, for refusal logs. */
    String remoteAddress();
}
