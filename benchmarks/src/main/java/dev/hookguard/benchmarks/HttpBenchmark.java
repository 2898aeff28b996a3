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
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.HttpBenchmark [round seconds] [connections] [rounds] [out.json]</pre>
 */
public final class HttpBenchmark {

    private static final String SECRET = VerifyBenchmark.SECRET;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final String TEMPLATE = "{\"id\":\"%s\",\"label\":\"Completed by Zo\u00eb \u00d8degaard\",\"description\":"
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

    /** What one stretch of load on one server gave. */
    record Load(double requestsPerSecond, double serverCpuMicrosPerRequest) {
    }

    /**
     * Loads {@code server} for {@code settleMillis} (not counted), then for {@code millis}: the requests per second it
     * answered 200, and the server's CPU time per request over the whole stretch.
     */
    static Load run(Process server, int port, long settleMillis, long millis, int connections, AtomicLong ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            long cpuBefore = cpuNanos(server);
            long countFrom = System.nanoTime() + settleMillis * 1_000_000;
            long end = countFrom + millis * 1_000_000;
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> drive(port, countFrom, end, ids)));
            }
            long ok = 0;
            long failed = 0;
            long all = 0;
            for (Future<long[]> f : results) {
                ok += f.get()[0];
                failed += f.get()[1];
                all += f.get()[2];
            }
            long cpu = cpuNanos(server) - cpuBefore;
            if (failed > 0) {
                throw new IllegalStateException(failed + " requests were not answered 200");
            }
            return new Load(ok * 1000.0 / millis, cpu / 1000.0 / all);
        } finally {
            pool.shutdown();
        }
    }

    /** The CPU time the process has used so far (user and system, every thread). */
    static long cpuNanos(Process server) {
        return server.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** Seconds of load each server gets before the first round, so that both are compiled before anything counts. */
    static final int WARMUP_SECONDS = 30;

    /** Seconds of load each server gets again once pinned, before the first round. */
    static final int PINNED_WARMUP_SECONDS = 25;

    /** The port the server prints (the first line that is a number: Javalin may print notices before it). */
    static int port(Process server) throws IOException {
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
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m"));
        // Extra options for both servers, for profiling; {variant} becomes plain or hookguard:
        // -Dserver.jvmArgs="-XX:StartFlightRecording=filename=/tmp/{variant}.jfr,settings=profile"
        String extra = System.getProperty("server.jvmArgs", "").strip().replace("{variant}", hookguard ? "hookguard" : "plain");
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpBenchmark.class.getName(), "serve", hookguard ? "hookguard" : "plain"));
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
    private static long[] drive(int port, long countFrom, long end, AtomicLong ids) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            long ok = 0;
            long failed = 0;
            long all = 0;
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
                all++;
                if (now >= countFrom) {
                    if (status == 200) {
                        ok++;
                    } else {
                        failed++;
                    }
                }
            }
            return new long[] {ok, failed, all};
        }
    }

    /** Reads one response (status line, headers, a Content-Length body) and answers its status. */
    static int readResponse(InputStream in) throws IOException {
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

    /** Milliseconds of load, not counted, that let a server's pools and caches settle before a round counts. */
    static final long SETTLE_MILLIS = 250;

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("serve")) {
            serve(args[1].equals("hookguard"));
            return;
        }
        long roundMillis = Math.round(1000 * (args.length > 0 ? Double.parseDouble(args[0]) : 2));
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
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
            run(plainServer, plainPort, 0, WARMUP_SECONDS * 1000L, connections, ids);
            run(guardedServer, guardedPort, 0, WARMUP_SECONDS * 1000L, connections, ids);
            if (pinned()) {
                pin(plainServer.pid(), "0");
                pin(guardedServer.pid(), "0");
                pin(ProcessHandle.current().pid(), "1-" + (Runtime.getRuntime().availableProcessors() - 1));
                // Settling after the move takes the Hookguard server some 20 s (its compiler queue drains on one core).
                run(plainServer, plainPort, 0, PINNED_WARMUP_SECONDS * 1000L, connections, ids);
                run(guardedServer, guardedPort, 0, PINNED_WARMUP_SECONDS * 1000L, connections, ids);
            }
            measure(plainServer, plainPort, guardedServer, guardedPort, roundMillis, connections, rounds, out, ids);
        } finally {
            plainServer.destroy();
            guardedServer.destroy();
        }
    }

    /**
     * Many short rounds rather than a few long ones: this machine's speed drifts over seconds to minutes, and the
     * shorter a round, the less it drifts between the two halves that make its ratio.
     */
    private static void measure(Process plainServer, int plainPort, Process guardedServer, int guardedPort, long roundMillis,
            int connections, int rounds, Path out, AtomicLong ids) throws Exception {
        double[] plain = new double[rounds];
        double[] guarded = new double[rounds];
        double[] ratios = new double[rounds];
        double[] plainCpu = new double[rounds];
        double[] guardedCpu = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // Each round measures both back to back, in alternating order, and yields one ratio.
            Load p;
            Load g;
            if (r % 2 == 0) {
                p = run(plainServer, plainPort, SETTLE_MILLIS, roundMillis, connections, ids);
                g = run(guardedServer, guardedPort, SETTLE_MILLIS, roundMillis, connections, ids);
            } else {
                g = run(guardedServer, guardedPort, SETTLE_MILLIS, roundMillis, connections, ids);
                p = run(plainServer, plainPort, SETTLE_MILLIS, roundMillis, connections, ids);
            }
            plain[r] = p.requestsPerSecond();
            guarded[r] = g.requestsPerSecond();
            plainCpu[r] = p.serverCpuMicrosPerRequest();
            guardedCpu[r] = g.serverCpuMicrosPerRequest();
            ratios[r] = guarded[r] / plain[r];
            System.out.printf(Locale.ROOT, "round %d: plain %.0f req/s (%.1f us CPU), hookguard %.0f req/s (%.1f us CPU), ratio %.3f%n",
                    r + 1, plain[r], plainCpu[r], guarded[r], guardedCpu[r], ratios[r]);
        }
        double ratio = median(ratios);
        System.out.printf(Locale.ROOT, "median: plain %.0f req/s, hookguard %.0f req/s, median ratio %.3f (verification costs %.1f%%); "
                + "server CPU per request: plain %.1f us, hookguard %.1f us%n",
                median(plain), median(guarded), ratio, (1 - ratio) * 100, median(plainCpu), median(guardedCpu));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, String.format(Locale.ROOT,
                "{\"roundMillis\":%d,\"connections\":%d,\"rounds\":%d,\"pinned\":%b,\"plain\":%s,\"hookguard\":%s,\"ratios\":%s,"
                        + "\"plainCpuMicros\":%s,\"hookguardCpuMicros\":%s,"
                        + "\"plainMedian\":%.1f,\"hookguardMedian\":%.1f,\"ratio\":%.4f}%n",
                roundMillis, connections, rounds, pinned(), Arrays.toString(plain), Arrays.toString(guarded), Arrays.toString(ratios),
                Arrays.toString(plainCpu), Arrays.toString(guardedCpu), median(plain), median(guarded), ratio));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
