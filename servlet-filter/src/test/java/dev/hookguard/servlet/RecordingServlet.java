package dev.hookguard.servlet;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The application behind the filter: records what it read and handled, and misbehaves on request. */
final class RecordingServlet extends HttpServlet {

    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final List<Object> payloads = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> handledByKey = new ConcurrentHashMap<>();
    volatile int status = 200;
    volatile boolean fail;
    volatile long sleepMillis;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] body = "reader".equals(request.getParameter("read"))
                ? request.getReader().lines().reduce((a, b) -> a + "\n" + b).orElse("").getBytes(StandardCharsets.UTF_8)
                : request.getInputStream().readAllBytes();
        bodies.add(body);
        Object payload = request.getAttribute(WebhookRequests.PAYLOAD_ATTRIBUTE);
        payloads.add(payload);
        if (payload instanceof MauticBatch batch) {
            for (MauticEvent event : WebhookRequests.mauticBatch(request).events()) {
                handledByKey.computeIfAbsent(event.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
            }
        } else if (payload instanceof WorkflowSession) {
            handledByKey.computeIfAbsent(WebhookRequests.workflowSession(request).idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        }
        if (sleepMillis > 0) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (fail) {
            throw new IllegalStateException("handler exploded with secret detail 42");
        }
        response.setStatus(status);
    }

    int handledCount() {
        return handledByKey.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
