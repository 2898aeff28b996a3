package dev.hookguard.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.javalin.WebhookContext;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The same Javalin endpoint with and without Hookguard in front, driven over loopback by a Java load generator
 * (every request a new, signed Malcolm! session, so no request is a cheap duplicate). Without Hookguard the
 * endpoint parses the body with Jackson, as an application would; with it, it reads the verified session.
 * After one discarded warm-up run of each, runs alternate (plain, hookguard, plain, ...) and the ratio of the medians
 * is reported.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.HttpBenchmark [seconds] [connections] [rounds] [out.json]</pre>
 */
public final class HttpBenchmark {

    private static final String SECRET = VerifyBenchmark.SECRET;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TEMPLATE = "{\"id\":\"%s\",\"label\":\"Completed by Zo\u00eb \u00d8degaard\",\"description\":"
            + "\"Workflow \\\"Open Support Ticket\\\" was completed by Zo\u00eb \u00d8degaard.\",\"text\":\"Workflow \\\"Open Support Ticket\\\" "
            + "was completed by Zo\u00eb \u00d8degaard.\",\"locale\":\"en-GB\",\"started-at\":\"2026-01-05T08:55:00+00:00\","
            + "\"completed-at\":\"2026-01-05T09:00:00+00:00\",\"workflow\":{\"id\":\"wf00000001\",\"name\":\"Open Support Ticket\","
            + "\"published-at\":\"2026-01-01T09:00:00+00:00\",\"version\":\"Version 1\"},\"values\":[{\"id\":\"v1\",\"field\":{\"id\":\"f1\","
            + "\"name\":\"Your email address\",\"query-name\":\"email\"},\"value\":\"zoe@example.com\"}]}";

    private HttpBenchmark() {
    }

    static Javalin app(boolean hookguard) {
        return Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            if (hookguard) {
                cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", SECRET)));
                cfg.routes.post("/webhooks/malcolm", ctx -> {
                    if (WebhookContext.workflowSession(ctx).id() == null) {
                        throw new IllegalStateException();
                    }
                    ctx.status(200);
                });
            } else {
                cfg.routes.post("/webhooks/malcolm", ctx -> {
                    if (MAPPER.readTree(ctx.bodyAsBytes()).get("id") == null) {
                        throw new IllegalStateException();
                    }
                    ctx.status(200);
                });
            }
        });
    }

    /** Requests per second one variant sustains for {@code seconds}. */
    static double run(boolean hookguard, int seconds, int connections, AtomicLong ids) throws Exception {
        Javalin app = app(hookguard).start("127.0.0.1", 0);
        try {
            URI uri = URI.create("http://127.0.0.1:" + app.port() + "/webhooks/malcolm");
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            List<Future<long[]>> results = new ArrayList<>();
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    long ok = 0;
                    long failed = 0;
                    long now;
                    while ((now = System.nanoTime()) < end) {
                        byte[] body = String.format(TEMPLATE, "ws" + ids.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                        HttpRequest request = HttpRequest.newBuilder(uri)
                                .header("Content-Type", "application/json")
                                .header("X-Instance-Id", "bench00001")
                                .header("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (now >= warmupEnd) {
                            if (status == 200) {
                                ok++;
                            } else {
                                failed++;
                            }
                        }
                    }
                    return new long[] {ok, failed};
                }));
            }
            long ok = 0;
            long failed = 0;
            for (Future<long[]> f : results) {
                ok += f.get()[0];
                failed += f.get()[1];
            }
            pool.shutdown();
            if (failed > 0) {
                throw new IllegalStateException(failed + " requests were not answered 200");
            }
            return ok / (double) seconds;
        } finally {
            app.stop();
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path out = Path.of(args.length > 3 ? args[3] : "benchmarks/results/http.json");
        AtomicLong ids = new AtomicLong();
        // Warm both variants (and the client) up first: early rounds otherwise measure the JIT, not the endpoint.
        run(false, seconds, connections, ids);
        run(true, seconds, connections, ids);
        double[] plain = new double[rounds];
        double[] guarded = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            plain[r] = run(false, seconds, connections, ids);
            guarded[r] = run(true, seconds, connections, ids);
            System.out.printf(Locale.ROOT, "round %d: plain %.0f req/s, hookguard %.0f req/s%n", r + 1, plain[r], guarded[r]);
        }
        double plainMedian = median(plain);
        double guardedMedian = median(guarded);
        double ratio = guardedMedian / plainMedian;
        System.out.printf(Locale.ROOT, "median: plain %.0f req/s, hookguard %.0f req/s, ratio %.3f (verification costs %.1f%%)%n",
                plainMedian, guardedMedian, ratio, (1 - ratio) * 100);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.format(Locale.ROOT,
                "{\"seconds\":%d,\"connections\":%d,\"rounds\":%d,\"plain\":%s,\"hookguard\":%s,\"plainMedian\":%.1f,\"hookguardMedian\":%.1f,\"ratio\":%.4f}%n",
                seconds, connections, rounds, Arrays.toString(plain), Arrays.toString(guarded), plainMedian, guardedMedian, ratio));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
