package dev.hookguard.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.javalin.WebhookContext;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import io.javalin.Javalin;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
 * After one discarded warm-up run of each, every round runs both back to back (in alternating order) and gives one
 * ratio; the median ratio is reported.
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

    /** Requests per second one variant sustains for {@code seconds}, after 2 s of warm-up on the same server. */
    static double run(boolean hookguard, int seconds, int connections, AtomicLong ids) throws Exception {
        Javalin app = app(hookguard).start("127.0.0.1", 0);
        try {
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            List<Future<long[]>> results = new ArrayList<>();
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> drive(app.port(), warmupEnd, end, ids)));
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

    /**
     * One keep-alive connection sending signed sessions back to back. A plain socket, not an HTTP client library:
     * client and server share two cores, and every cycle the client spends is one the server cannot, which would
     * hide the server's own cost.
     */
    private static long[] drive(int port, long warmupEnd, long end, AtomicLong ids) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            long ok = 0;
            long failed = 0;
            long now;
            while ((now = System.nanoTime()) < end) {
                byte[] body = String.format(TEMPLATE, "ws" + ids.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                String head = "POST /webhooks/malcolm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "X-Instance-Id: bench00001\r\nX-Signature: " + WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body)
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                int status = readResponse(in);
                if (now >= warmupEnd) {
                    if (status == 200) {
                        ok++;
                    } else {
                        failed++;
                    }
                }
            }
            return new long[] {ok, failed};
        }
    }

    /** Reads one response (status line, headers, a Content-Length body) and answers its status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).strip());
            }
        }
        in.skipNBytes(length);
        return Integer.parseInt(status.substring(9, 12));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path out = Path.of(args.length > 3 ? args[3] : "benchmarks/results/http.json");
        AtomicLong ids = new AtomicLong();
        // Warm both variants (and the client) up first: early rounds otherwise measure the JIT, not the endpoint.
        run(false, seconds, connections, ids);
        run(true, seconds, connections, ids);
        double[] plain = new double[rounds];
        double[] guarded = new double[rounds];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Each round measures both back to back, in alternating order, and yields one ratio.
            if (r % 2 == 0) {
                plain[r] = run(false, seconds, connections, ids);
                guarded[r] = run(true, seconds, connections, ids);
            } else {
                guarded[r] = run(true, seconds, connections, ids);
                plain[r] = run(false, seconds, connections, ids);
            }
            ratios[r] = guarded[r] / plain[r];
            System.out.printf(Locale.ROOT, "round %d: plain %.0f req/s, hookguard %.0f req/s, ratio %.3f%n", r + 1, plain[r], guarded[r], ratios[r]);
        }
        double ratio = median(ratios);
        System.out.printf(Locale.ROOT, "median: plain %.0f req/s, hookguard %.0f req/s, median ratio %.3f (verification costs %.1f%%)%n",
                median(plain), median(guarded), ratio, (1 - ratio) * 100);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.format(Locale.ROOT,
                "{\"seconds\":%d,\"connections\":%d,\"rounds\":%d,\"plain\":%s,\"hookguard\":%s,\"ratios\":%s,"
                        + "\"plainMedian\":%.1f,\"hookguardMedian\":%.1f,\"ratio\":%.4f}%n",
                seconds, connections, rounds, Arrays.toString(plain), Arrays.toString(guarded), Arrays.toString(ratios),
                median(plain), median(guarded), ratio));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
