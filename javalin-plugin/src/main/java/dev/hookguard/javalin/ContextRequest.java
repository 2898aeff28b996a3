package dev.hookguard.javalin;

import dev.hookguard.delivery.IncomingRequest;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;

/** The request as the endpoint reads it: Javalin's context, the exact path sent, the body stream unread. */
record ContextRequest(Context ctx) implements IncomingRequest {
    @Override
    public String method() {
        return ctx.method().name();
    }

    @Override
    public String header(String name) {
        return ctx.header(name);
    }

    @Override
    public Collection<String> headerNames() {
        return ctx.headerMap().keySet();
    }

    @Override
    public String path() {
        return ctx.req().getRequestURI();
    }

    @Override
    public long contentLength() {
        return ctx.req().getContentLengthLong();
    }

    @Override
    public InputStream body() throws IOException {
        return ctx.req().getInputStream();
    }

    @Override
    public String remoteAddress() {
        return ctx.req().getRemoteAddr();
    }
}
