package dev.hookguard.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The plugin on a real Javalin server, driven by the reference sender. */
class HookguardPluginTest {

    static final String MAUTIC_SECRET = "javalin-mautic-secret";
    static final String MALCOLM_SECRET = "javalin-malcolm-secret";

    enum Style { OWN_ROUTE, PLUGIN_LISTENERS }

    enum Sender { MAUTIC, MALCOLM }

    /** What the application saw. */
    static final class Seen {
        final List<byte[]> bodies = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> handledByKey = new ConcurrentHashMap<>();
        volatile boolean fail;
        volatile long sleepMillis;

        void handled(String key) throws InterruptedException {
            handledByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            if (fail) {
                throw new IllegalStateException("handler broke with private detail 7");
            }
        }

        int total() {
            return handledByKey.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    static Javalin app(Style style, Seen seen, long maxBodyBytes) {
        return Javalin.create(cfg -> {
            cfg.registerPlugin(new HookguardPlugin(hookguard -> {
                hookguard.mautic("/webhooks/mautic", MAUTIC_SECRET).malcolm("/webhooks/malcolm", MALCOLM_SECRET).maxBodyBytes(maxBodyBytes);
                if (style == Style.PLUGIN_LISTENERS) {
                    hookguard.onMautic(MauticEvent.class, e -> seen.handled(e.idempotencyKey()))
                            .onMalcolm(s -> seen.handled(s.idempotencyKey()));
                }
            }));
            if (style == Style.OWN_ROUTE) {
                cfg.routes.post("/webhooks/mautic", ctx -> {
                    seen.bodies.add(WebhookContext.delivery(ctx).body());
                    for (MauticEvent e : WebhookContext.mauticBatch(ctx).events()) {
                        seen.handled(e.idempotencyKey());
                    }
                    ctx.status(202);
                });
                cfg.routes.post("/webhooks/malcolm", ctx -> {
                    seen.bodies.add(WebhookContext.delivery(ctx).body());
                    WorkflowSession session = WebhookContext.workflowSession(ctx);
                    seen.handled(session.idempotencyKey());
                    ctx.status(204);
                });
            }
        });
    }

    static Stream<Arguments> styles() {
        List<Arguments> all = new ArrayList<>();
        for (Style style : Style.values()) {
            for (Sender sender : Sender.values()) {
                all.add(Arguments.of(style, sender));
            }
        }
        return all.stream();
    }

    private static URI uri(Javalin server, Sender sender) {
        return URI.create("http://127.0.0.1:" + server.port() + (sender == Sender.MAUTIC ? "/webhooks/mautic" : "/webhooks/malcolm"));
    }

    private static byte[] body(Sender sender, int seq) {
        return sender == Sender.MAUTIC ? MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", seq, 1))
                : MalcolmSender.body(SampleEvents.malcolmSession(seq, true));
    }

    private static Map<String, String> headers(Sender sender, byte[] body, String secret) {
        URI any = URI.create("http://127.0.0.1/");
        return sender == Sender.MAUTIC ? MauticSender.builder(any, secret).build().headersFor(body)
                : MalcolmSender.builder(any, secret).instanceId("javalin001").build().headersFor(body);
    }

    private static String secret(Sender sender) {
        return sender == Sender.MAUTIC ? MAUTIC_SECRET : MALCOLM_SECRET;
    }

    private static HttpResponse<String> send(URI uri, String method, Map<String, String> headers, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, body);
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(URI uri, Map<String, String> headers, byte[] body) throws Exception {
        return send(uri, "POST", headers, HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static HttpResponse<String> signed(Javalin server, Sender sender, byte[] body) throws Exception {
        return post(uri(server, sender), headers(sender, body, secret(sender)), body);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("styles")
    void verifiedDeliveryIsHandledOnceAndAnswered2xx(Style style, Sender sender) {
        Seen seen = new Seen();
        JavalinTest.test(app(style, seen, 5 << 20), (server, client) -> {
            byte[] body = body(sender, 1);
            int first = signed(server, sender, body).statusCode();
            assertThat(first).isBetween(200, 299);
            assertThat(signed(server, sender, body).statusCode()).isEqualTo(200);
            assertThat(seen.total()).isEqualTo(1);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("styles")
    void refusalsFollowTheStatusTableAndNeverReachTheApplication(Style style, Sender sender) {
        Seen seen = new Seen();
        JavalinTest.test(app(style, seen, 4096), (server, client) -> {
            byte[] body = body(sender, 2);
            Map<String, String> good = headers(sender, body, secret(sender));
            URI uri = uri(server, sender);

            HttpResponse<String> get = send(uri, "GET", Map.of(), HttpRequest.BodyPublishers.noBody());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).contains("POST");
            assertThat(get.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));

            Map<String, String> textPlain = new HashMap<>(good);
            textPlain.put("Content-Type", "text/plain");
            assertThat(post(uri, textPlain, body).statusCode()).isEqualTo(415);

            byte[] big = new byte[5000];
            java.util.Arrays.fill(big, (byte) ' ');
            HttpResponse<String> tooLarge = post(uri, headers(sender, big, secret(sender)), big);
            assertThat(tooLarge.statusCode()).isEqualTo(413);
            assertThat(tooLarge.body()).contains("\"code\":\"body_too_large\"");
            HttpResponse<String> chunked = send(uri, "POST", Map.of("Content-Type", "application/json"),
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
            assertThat(chunked.statusCode()).isEqualTo(413);

            Map<String, String> unsigned = new HashMap<>(good);
            unsigned.remove(sender == Sender.MAUTIC ? "Webhook-Signature" : "X-Signature");
            assertThat(post(uri, unsigned, body).body()).contains("signature_missing");
            HttpResponse<String> forged = post(uri, headers(sender, body, "forged"), body);
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(forged.body()).contains("signature_mismatch").doesNotContain(secret(sender));

            byte[] other = sender == Sender.MAUTIC ? body(Sender.MALCOLM, 2) : body(Sender.MAUTIC, 2);
            HttpResponse<String> notThisSender = post(uri, headers(sender, other, secret(sender)), other);
            assertThat(notThisSender.statusCode()).isEqualTo(400);
            assertThat(notThisSender.body()).contains("invalid_payload");

            assertThat(seen.total()).isZero();
            assertThat(seen.bodies).isEmpty();
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("styles")
    void handlerThatThrowsGives500ReleasesTheKeyAndTheRetryIsHandled(Style style, Sender sender) {
        Seen seen = new Seen();
        seen.fail = true;
        JavalinTest.test(app(style, seen, 5 << 20), (server, client) -> {
            byte[] body = body(sender, 3);
            HttpResponse<String> failed = signed(server, sender, body);
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.body()).doesNotContain("private detail").doesNotContain("IllegalStateException");
            seen.fail = false;
            assertThat(signed(server, sender, body).statusCode()).isBetween(200, 299);
            assertThat(seen.total()).isEqualTo(2);
        });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("styles")
    void duplicateDuringHandlingIs409WithRetryAfter(Style style, Sender sender) {
        Seen seen = new Seen();
        seen.sleepMillis = 800;
        JavalinTest.test(app(style, seen, 5 << 20), (server, client) -> {
            byte[] body = body(sender, 4);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<HttpResponse<String>> first = pool.submit(() -> signed(server, sender, body));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (seen.total() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                HttpResponse<String> second = signed(server, sender, body);
                assertThat(second.statusCode()).isEqualTo(409);
                assertThat(second.headers().firstValue("Retry-After")).contains("5");
                assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isBetween(200, 299);
            } finally {
                pool.shutdownNow();
            }
            assertThat(seen.total()).isEqualTo(1);
        });
    }

    /** A Malcolm! delivery written on a raw socket, so that the header lines are exactly these. */
    private static int rawPost(Javalin server, byte[] body, String... extraHeaderLines) throws Exception {
        return rawPostTo(server, "/webhooks/malcolm", body, extraHeaderLines);
    }

    /** A signed Malcolm! delivery on a raw socket to exactly {@code path}; the status line's code. */
    private static int rawPostTo(Javalin server, String path, byte[] body, String... extraHeaderLines) throws Exception {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        headers(Sender.MALCOLM, body, MALCOLM_SECRET).forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        for (String line : extraHeaderLines) {
            head.append(line).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            String status = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void aDeliveryNoListenerTakesIsAnswered404AndHandledWhenAListenerExists() {
        List<String> handled = new CopyOnWriteArrayList<>();
        byte[] body = body(Sender.MAUTIC, 60);
        // Only page hits are listened to: a form submission is taken by nothing.
        Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h.mautic("/webhooks/mautic", MAUTIC_SECRET)
                .onMautic(dev.hookguard.mautic.PageHit.class, hit -> handled.add(hit.idempotencyKey())))));
        JavalinTest.test(app, (server, client) -> {
            HttpResponse<String> first = post(URI.create("http://127.0.0.1:" + server.port() + "/webhooks/mautic"),
                    headers(Sender.MAUTIC, body, MAUTIC_SECRET), body);
            assertThat(first.statusCode()).isEqualTo(404);
            assertThat(first.body()).contains("not_handled");
            // Released, not done: the same delivery again is again not handled, not a "duplicate" 200.
            assertThat(post(URI.create("http://127.0.0.1:" + server.port() + "/webhooks/mautic"),
                    headers(Sender.MAUTIC, body, MAUTIC_SECRET), body).statusCode()).isEqualTo(404);
            assertThat(handled).isEmpty();
        });
    }

    @Test
    void nonCanonicalPathsNeverReachAClaim() {
        List<String> handled = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", MALCOLM_SECRET)
                .onMalcolm(s -> handled.add(s.id())))));
        byte[] body = body(Sender.MALCOLM, 61);
        JavalinTest.test(app, (server, client) -> {
            for (String typo : List.of("/webhooks/./malcolm", "/webhooks/x/../malcolm", "/webhooks//malcolm")) {
                assertThat(rawPostTo(server, typo, body)).as(typo).isGreaterThanOrEqualTo(400);
            }
            assertThat(handled).isEmpty();
            assertThat(rawPostTo(server, "/webhooks/malcolm", body)).isEqualTo(200);
            assertThat(handled).hasSize(1);
        });
    }

    @Test
    void routeSeesTheRequestsHeadersFirstValueWinningAndTheyOutliveTheRequest() {
        List<dev.hookguard.delivery.Delivery> deliveries = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(cfg -> {
            cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", MALCOLM_SECRET)));
            cfg.routes.post("/webhooks/malcolm", ctx -> deliveries.add(WebhookContext.delivery(ctx)));
        });
        JavalinTest.test(app, (server, client) -> {
            assertThat(rawPost(server, body(Sender.MALCOLM, 40), "X-Trace: first", "x-trace: second", "X-Empty:")).isEqualTo(200);
            // Later requests reuse the server's request objects: what the route kept must not change with them.
            assertThat(rawPost(server, body(Sender.MALCOLM, 41), "X-Trace: other")).isEqualTo(200);
            assertThat(deliveries).hasSize(2);
            dev.hookguard.delivery.Headers first = deliveries.get(0).headers();
            assertThat(first.get("x-TRACE")).isEqualTo("first");
            assertThat(first.get("X-Empty")).isEmpty();
            assertThat(first.get("X-Instance-Id")).isEqualTo("javalin001");
            assertThat(first.get("content-type")).startsWith("application/json");
            assertThat(deliveries.get(1).headers().get("X-Trace")).isEqualTo("other");
        });
    }

    @Test
    void anApplicationsOwnRequestWrapperDecidesTheHeaders() {
        byte[] body = body(Sender.MALCOLM, 42);
        String signature = headers(Sender.MALCOLM, body, MALCOLM_SECRET).get("X-Signature");
        List<String> seenSignatures = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(cfg -> {
            cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", MALCOLM_SECRET)));
            // A gateway in front moved the signature into another header; the application's filter puts it back.
            cfg.jetty.modifyServletContextHandler(handler -> handler.addFilter((jakarta.servlet.Filter) (request, response, chain) ->
                    chain.doFilter(new jakarta.servlet.http.HttpServletRequestWrapper((jakarta.servlet.http.HttpServletRequest) request) {
                        @Override
                        public String getHeader(String name) {
                            return name.equalsIgnoreCase("X-Signature") ? super.getHeader("X-Gateway-Signature") : super.getHeader(name);
                        }

                        @Override
                        public java.util.Enumeration<String> getHeaderNames() {
                            List<String> names = new ArrayList<>(java.util.Collections.list(super.getHeaderNames()));
                            names.add("X-Signature");
                            return java.util.Collections.enumeration(names);
                        }
                    }, response), "/*", java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST)));
            cfg.routes.post("/webhooks/malcolm", ctx -> seenSignatures.add(WebhookContext.delivery(ctx).headers().get("X-Signature")));
        });
        JavalinTest.test(app, (server, client) -> {
            Map<String, String> moved = new HashMap<>(headers(Sender.MALCOLM, body, MALCOLM_SECRET));
            moved.put("X-Gateway-Signature", moved.remove("X-Signature"));
            assertThat(post(uri(server, Sender.MALCOLM), moved, body).statusCode()).isEqualTo(200);
            assertThat(seenSignatures).containsExactly(signature);
        });
    }

    @Test
    void routeHandlerSeesTheSameBytesThatWereSent() {
        Seen seen = new Seen();
        JavalinTest.test(app(Style.OWN_ROUTE, seen, 5 << 20), (server, client) -> {
            List<OutgoingEvent> events = SampleEvents.mixed(10);
            assertThat(MauticSender.builder(uri(server, Sender.MAUTIC), MAUTIC_SECRET).build().sendQueued(events).allDelivered()).isTrue();
            byte[] session = MalcolmSender.body(SampleEvents.malcolmSession(9, true));
            MalcolmSender.builder(uri(server, Sender.MALCOLM), MALCOLM_SECRET).build().send(session);
            assertThat(seen.bodies).hasSize(2);
            assertThat(seen.bodies.get(0)).isEqualTo(MauticSender.queueBody(events));
            assertThat(seen.bodies.get(1)).isEqualTo(session);
        });
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Style.class)
    void sixteenConcurrentDeliveriesWithDuplicatesAreHandledOnce(Style style) {
        Seen seen = new Seen();
        seen.sleepMillis = 20;
        JavalinTest.test(app(style, seen, 5 << 20), (server, client) -> {
            MauticSender sender = MauticSender.builder(uri(server, Sender.MAUTIC), MAUTIC_SECRET).build();
            List<Callable<SendReport>> tasks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                OutgoingEvent event = SampleEvents.of("mautic.form_on_submit", 100 + i % 8);
                tasks.add(() -> sender.sendImmediate(List.of(event)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                for (Future<SendReport> f : pool.invokeAll(tasks)) {
                    assertThat(f.get().attempts().get(0).status()).isIn(200, 202, 409);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(seen.handledByKey).hasSize(8);
            assertThat(seen.handledByKey.values()).allMatch(n -> n.get() == 1);
        });
    }

    @Test
    void typedListenersReceiveOnlyTheirEventType() {
        List<FormSubmitted> forms = new CopyOnWriteArrayList<>();
        List<MauticBatch> batches = new CopyOnWriteArrayList<>();
        Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h.mautic("/m", MAUTIC_SECRET)
                .onMautic(FormSubmitted.class, forms::add).onMauticBatch(batches::add))));
        JavalinTest.test(app, (server, client) -> {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/m");
            assertThat(MauticSender.builder(uri, MAUTIC_SECRET).build().sendQueued(SampleEvents.mixed(28)).allDelivered()).isTrue();
            assertThat(forms).hasSize(2);
            assertThat(batches).hasSize(3);
        });
    }

    @Test
    void theBodyLimitIsThePluginsNotJavalinsMaxRequestSize() {
        Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h.mautic("/m", MAUTIC_SECRET).maxBodyBytes(3 << 20))));
        JavalinTest.test(app, (server, client) -> {
            // 2 MiB: over Javalin's default 1 MB, under the plugin's 3 MiB. Signed, but not a Mautic payload.
            byte[] body = new byte[2 << 20];
            java.util.Arrays.fill(body, (byte) ' ');
            body[0] = '[';
            body[body.length - 1] = ']';
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/m");
            HttpResponse<String> response = post(uri, headers(Sender.MAUTIC, body, MAUTIC_SECRET), body);
            assertThat(response.statusCode()).isEqualTo(400);
        });
    }

    @Test
    void pluginWithoutEndpointsRefusesToStart() {
        assertThatThrownBy(() -> Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> { }))))
                .hasMessageContaining("configure at least one endpoint");
        assertThatThrownBy(() -> Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h.mautic("/m")))))
                .hasMessageContaining("no mautic webhook secret");
    }

    @Test
    void accessorsExplainWhatIsMissing() {
        Javalin app = Javalin.create(cfg -> cfg.routes.get("/plain", ctx -> ctx.result(
                catching(() -> WebhookContext.mauticBatch(ctx)) + "|" + catching(() -> WebhookContext.delivery(ctx)))));
        JavalinTest.test(app, (server, client) -> assertThat(client.get("/plain").body().string())
                .contains("is the path configured in HookguardPlugin?"));
    }

    private static String catching(Runnable r) {
        try {
            r.run();
            return "ok";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
