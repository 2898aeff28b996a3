package dev.hookguard.servlet;

import dev.hookguard.delivery.IncomingRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Collections;

/** A servlet request as the endpoint reads it. */
record ServletIncomingRequest(HttpServletRequest request) implements IncomingRequest {

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String header(String name) {
        return request.getHeader(name);
    }

    @Override
    public Collection<String> headerNames() {
        return Collections.list(request.getHeaderNames());
    }

    @Override
    public String path() {
        // As sent: containers normalise the servlet path, not the request URI.
        return request.getRequestURI();
    }

    @Override
    public long contentLength() {
        return request.getContentLengthLong();
    }

    @Override
    public InputStream body() throws IOException {
        return request.getInputStream();
    }

    @Override
    public String remoteAddress() {
        return request.getRemoteAddr();
    }
}
