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
 * Each variant runs in a server JVM of its own (neither inherits the other's JIT profile); both are warmed up, then
 * every round loads both back to back (in alternating order) and gives one ratio; the median ratio is reported.
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

    /** Requests per second the server on {@code port} sustains for {@code seconds}, after 1 s of warm-up. */
    static double run(int port, int seconds, int connections, AtomicLong ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            long warmupEnd = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> drive(port, warmupEnd, end, ids)));
            }
            long ok = 0;
            long failed = 0;
            for (Future<long[]> f : results) {
                ok += f.get()[0];
                failed += f.get()[1];
            }
            if (failed > 0) {
                throw new IllegalStateException(failed + " requests were not answered 200");
            }
            return ok / (double) seconds;
        } finally {
            pool.shutdown();
        }
    }

    /** Seconds of load each server gets before the first round, so that both are compiled before anything counts. */
    static final int WARMUP_SECONDS = 30;

    /** Seconds of load each server gets again once pinned, before the first round. */
    static final int PINNED_WARMUP_SECONDS = 25;

    /** The port the server prints (the first line that is a number: Javalin may print notices before it). */
    private static int port(Process server) throws IOException {
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.strip().matches("[0-9]+")) {
                return Integer.parseInt(line.strip());
            }
        }
        throw new IOException("the benchmark server exited before it printed its port");
    }

    /**
     * Whether the servers are moved to core 0 and this load generator to the others ({@code -Dpin=true}, two cores or
     * more, and taskset). Off by default: on a shared two-core virtual machine a server confined to one vCPU takes
     * every steal of that vCPU in full, and rounds swung from 0.35 to 2.9 that way.
     */
    static boolean pinned() {
        return Boolean.getBoolean("pin") && Runtime.getRuntime().availableProcessors() >= 2
                && Files.isExecutable(Path.of("/usr/bin/taskset"));
    }

    /** Moves every thread of a process to {@code cores} (a taskset list such as {@code 0} or {@code 1-3}). */
    private static void pin(long pid, String cores) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("/usr/bin/taskset", "-a", "-p", "-c", cores, Long.toString(pid))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        if (taskset.waitFor() != 0) {
            throw new IOException("taskset could not pin process " + pid);
        }
    }

    private static Process startServer(boolean hookguard) throws IOException {
        List<String> command = new ArrayList<>();
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), HttpBenchmark.class.getName(), "serve", hookguard ? "hookguard" : "plain"));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** The server side: starts one variant on a free port, prints the port, serves until stdin closes or it is killed. */
    private static void serve(boolean hookguard) throws IOException {
        Javalin app = app(hookguard).start("127.0.0.1", 0);
        System.out.println(app.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent goes away
        }
        app.stop();
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
        if (args.length == 2 && args[0].equals("serve")) {
            serve(args[1].equals("hookguard"));
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path out = Path.of(args.length > 3 ? args[3] : "benchmarks/results/http.json");
        AtomicLong ids = new AtomicLong();
        // Each variant in a JVM of its own (neither inherits the other's JIT profile), both started now and warmed
        // up before the first round. Only one is loaded at a time.
        Process plainServer = startServer(false);
        Process guardedServer = startServer(true);
        try {
            int plainPort = port(plainServer);
            int guardedPort = port(guardedServer);
            // Warm-up on every core: a server pinned to one core from the start shares it with its JIT compiler, which
            // takes far longer to finish with the larger Hookguard path and would be measured instead of the endpoint.
            run(plainPort, WARMUP_SECONDS, connections, ids);
            run(guardedPort, WARMUP_SECONDS, connections, ids);
            if (pinned()) {
                pin(plainServer.pid(), "0");
                pin(guardedServer.pid(), "0");
                pin(ProcessHandle.current().pid(), "1-" + (Runtime.getRuntime().availableProcessors() - 1));
                // Settling after the move takes the Hookguard server some 20 s (its compiler queue drains on one core).
                run(plainPort, PINNED_WARMUP_SECONDS, connections, ids);
                run(guardedPort, PINNED_WARMUP_SECONDS, connections, ids);
            }
            measure(plainPort, guardedPort, seconds, connections, rounds, out, ids);
        } finally {
            plainServer.destroy();
            guardedServer.destroy();
        }
    }

    private static void measure(int plainPort, int guardedPort, int seconds, int connections, int rounds, Path out, AtomicLong ids)
            throws Exception {
        double[] plain = new double[rounds];
        double[] guarded = new double[rounds];
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Each round measures both back to back, in alternating order, and yields one ratio.
            if (r % 2 == 0) {
                plain[r] = run(plainPort, seconds, connections, ids);
                guarded[r] = run(guardedPort, seconds, connections, ids);
            } else {
                guarded[r] = run(guardedPort, seconds, connections, ids);
                plain[r] = run(plainPort, seconds, connections, ids);
            }
            ratios[r] = guarded[r] / plain[r];
            System.out.printf(Locale.ROOT, "round %d: plain %.0f req/s, hookguard %.0f req/s, ratio %.3f%n", r + 1, plain[r], guarded[r], ratios[r]);
        }
        double ratio = median(ratios);
        System.out.printf(Locale.ROOT, "median: plain %.0f req/s, hookguard %.0f req/s, median ratio %.3f (verification costs %.1f%%)%n",
                median(plain), median(guarded), ratio, (1 - ratio) * 100);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.format(Locale.ROOT,
                "{\"seconds\":%d,\"connections\":%d,\"rounds\":%d,\"pinned\":%b,\"plain\":%s,\"hookguard\":%s,\"ratios\":%s,"
                        + "\"plainMedian\":%.1f,\"hookguardMedian\":%.1f,\"ratio\":%.4f}%n",
                seconds, connections, rounds, pinned(), Arrays.toString(plain), Arrays.toString(guarded), Arrays.toString(ratios),
                median(plain), median(guarded), ratio));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
