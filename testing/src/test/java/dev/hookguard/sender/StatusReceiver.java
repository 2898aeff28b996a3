package dev.hookguard.sender;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A real HTTP receiver on an ephemeral port answering the status its script gives for the n-th request (1-based). */
final class StatusReceiver implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile IntUnaryOperator script;

    private StatusReceiver(IntUnaryOperator script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/webhooks/mautic", exchange -> {
            exchange.getRequestBody().readAllBytes();
            int status = this.script.applyAsInt(requests.incrementAndGet());
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    static StatusReceiver answering(IntUnaryOperator script) throws IOException {
        return new StatusReceiver(script);
    }

    static StatusReceiver always(int status) throws IOException {
        return new StatusReceiver(n -> status);
    }

    void answer(IntUnaryOperator script) {
        this.script = script;
    }

    int requests() {
        return requests.get();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/mautic");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
