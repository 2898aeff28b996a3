package dev.hookguard.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.malcolm.WorkflowSession;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the inbox costs at accept time: the same Javalin server answering signed Malcolm! sessions in three ways, each
 * in a JVM of its own, on H2 (a file) and on PostgreSQL (a cluster of its own, fsync on):
 * <ul>
 *   <li>{@code direct}: Hookguard in direct mode, a no-op handler (no database);</li>
 *   <li>{@code inbox}: Hookguard in inbox mode, answering 202 once the delivery is committed (workers off: accept only);</li>
 *   <li>{@code bare}: no Hookguard, one autocommit {@code INSERT} of the raw body per request, on the same pool;</li>
 *   <li>{@code spooled} (PostgreSQL runs only): inbox mode with a spool whose database is away (a port nobody listens
 *   on), so every delivery is appended to the journal and forced to disk before its 202: accept during an outage.</li>
 * </ul>
 * Each round loads all three back to back (rotating the order) and gives throughput, p50/p99 latency and the
 * server's CPU per request; ratios are computed within a round. Then, on PostgreSQL, two workers handle what the
 * inbox stored, with a no-op handler: deliveries per second.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.InboxBenchmark [round seconds] [connections] [rounds] [out.json]</pre>
 */
public final class InboxBenchmark {

    enum Variant { DIRECT, INBOX, BARE, SPOOLED }

    private static final String SECRET = VerifyBenchmark.SECRET;
    private static final Path POSTGRES_SCRIPT = Path.of(".ci", "postgres.sh");
    static final int WARMUP_SECONDS = 15;
    /** Rounds run and not counted after the warm-up ({@code -Dhookguard.bench.warmupRounds}). */
    static final int WARMUP_ROUNDS = Integer.getInteger("hookguard.bench.warmupRounds", 4);

    private InboxBenchmark() {
    }

    /** One stretch of load on one server. */
    record Load(double requestsPerSecond, double p50Micros, double p99Micros, double cpuMicrosPerRequest) {
    }

    // ---- server side ----

    static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(Math.max(8, Integer.getInteger("hookguard.bench.pool", 8)));
        if (url.startsWith("jdbc:h2:")) {
            config.setUsername("sa");
        }
        return new HikariDataSource(config);
    }

    static Javalin app(Variant variant, String url) throws Exception {
        return switch (variant) {
            case DIRECT -> Javalin.create(cfg -> {
                cfg.startup.showJavalinBanner = false;
                cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", SECRET).onMalcolm(session -> { })));
            });
            case INBOX -> {
                JdbcInbox inbox = JdbcInbox.builder(pool(url)).build();
                inbox.initializeSchema();
                // The inbox's store alone (DeliveryInbox is one method): accept is measured without workers competing.
                yield Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", SECRET)
                            .inbox(inbox::store, Duration.ofSeconds(5)).onMalcolm(session -> { })));
                });
            }
            case SPOOLED -> {
                org.postgresql.ds.PGSimpleDataSource away = new org.postgresql.ds.PGSimpleDataSource();
                away.setURL("jdbc:postgresql://127.0.0.1:9/away");
                away.setConnectTimeout(1);
                Path spool = Files.createTempDirectory(Files.createDirectories(Path.of(url)), "spool");
                JdbcInbox inbox = JdbcInbox.builder(away).spool(spool).spoolLimits(16L << 30, Duration.ofDays(1)).build();
                yield Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.registerPlugin(new HookguardPlugin(h -> h.malcolm("/webhooks/malcolm", SECRET)
                            .inbox(inbox::store, Duration.ofSeconds(5)).onMalcolm(session -> { })));
                });
            }
            case BARE -> {
                HikariDataSource pool = pool(url);
                try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                    s.execute("create table if not exists bare_insert (id varchar(36) primary key, body "
                            + (url.startsWith("jdbc:h2:") ? "blob" : "bytea") + " not null, received_at bigint not null)");
                }
                yield Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.routes.post("/webhooks/malcolm", ctx -> {
                        try (Connection c = pool.getConnection();
                             PreparedStatement insert = c.prepareStatement("insert into bare_insert (id, body, received_at) values (?, ?, ?)")) {
                            insert.setString(1, UUID.randomUUID().toString());
                            insert.setBytes(2, ctx.bodyAsBytes());
                            insert.setLong(3, System.currentTimeMillis());
                            insert.executeUpdate();
                        }
                        ctx.status(200);
                    });
                });
            }
        };
    }

    private static void serve(Variant variant, String url) throws Exception {
        Javalin app = app(variant, url).start("127.0.0.1", 0);
        System.out.println(app.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // serve until the parent goes away
        }
        app.stop();
    }

    private static Process startServer(Variant variant, String url) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms512m", "-Xmx512m",
                "-Dhookguard.bench.pool=" + Integer.getInteger("hookguard.bench.pool", 8)));
        // -Dhookguard.bench.jvm="-XX:StartFlightRecording=filename=/tmp/{variant}.jfr" profiles the servers
        String extra = System.getProperty("hookguard.bench.jvm", "");
        for (String option : extra.isBlank() ? new String[0] : extra.strip().split("\\s+")) {
            command.add(option.replace("{variant}", variant.name().toLowerCase(Locale.ROOT)));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), InboxBenchmark.class.getName(), "serve", variant.name(), url));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    // ---- load side ----

    static Load run(Process server, int port, long settleMillis, long millis, int connections, AtomicLong ids) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            long cpuBefore = HttpBenchmark.cpuNanos(server);
            long countFrom = System.nanoTime() + settleMillis * 1_000_000;
            long end = countFrom + millis * 1_000_000;
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> drive(port, countFrom, end, ids)));
            }
            long[] latencies = new long[0];
            long all = 0;
            for (Future<long[]> f : results) {
                long[] r = f.get();
                all += r[0];
                long[] merged = Arrays.copyOf(latencies, latencies.length + r.length - 1);
                System.arraycopy(r, 1, merged, latencies.length, r.length - 1);
                latencies = merged;
            }
            long cpu = HttpBenchmark.cpuNanos(server) - cpuBefore;
            Arrays.sort(latencies);
            return new Load(latencies.length * 1000.0 / millis, latencies[latencies.length / 2] / 1000.0,
                    latencies[(int) (latencies.length * 0.99)] / 1000.0, cpu / 1000.0 / all);
        } finally {
            pool.shutdown();
        }
    }

    /** One keep-alive connection: {all requests, latency of each counted one in ns...}. A plain socket, as in HttpBenchmark. */
    private static long[] drive(int port, long countFrom, long end, AtomicLong ids) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
            long[] latencies = new long[1 << 16];
            int counted = 0;
            long all = 0;
            long start;
            while ((start = System.nanoTime()) < end) {
                byte[] body = String.format(HttpBenchmark.TEMPLATE, "ib" + ids.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
                String head = "POST /webhooks/malcolm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "X-Instance-Id: bench00001\r\nX-Signature: " + WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body)
                        + "\r\nContent-Length: " + body.length + "\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                int status = HttpBenchmark.readResponse(in);
                long took = System.nanoTime() - start;
                all++;
                if (status != 200 && status != 202) {
                    throw new IllegalStateException("answered " + status);
                }
                if (start >= countFrom) {
                    if (counted == latencies.length) {
                        latencies = Arrays.copyOf(latencies, counted * 2);
                    }
                    latencies[counted++] = took;
                }
            }
            long[] result = new long[counted + 1];
            result[0] = all;
            System.arraycopy(latencies, 0, result, 1, counted);
            return result;
        }
    }

    // ---- databases ----

    /** A PostgreSQL cluster of the benchmark's own, with fsync on: an acknowledged commit is on disk. */
    static final class Postgres implements AutoCloseable {
        final Path dir;
        final String url;

        Postgres() throws Exception {
            dir = Files.createTempDirectory("hookguard-bench-pg", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            ProcessBuilder start = new ProcessBuilder(POSTGRES_SCRIPT.toString(), "start", dir.resolve("pg").toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            start.environment().put("HOOKGUARD_PG_FSYNC", "on");
            Process process = start.start();
            url = new String(process.getInputStream().readAllBytes()).strip();
            if (process.waitFor() != 0) {
                throw new IOException("could not start PostgreSQL with .ci/postgres.sh");
            }
        }

        String newDatabase(String name) throws Exception {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("create database " + name);
            }
            return url.replaceFirst("/postgres\\?", "/" + name + "?");
        }

        @Override
        public void close() throws Exception {
            new ProcessBuilder(POSTGRES_SCRIPT.toString(), "stop", dir.resolve("pg").toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    // ---- the run ----

    record DatabaseResult(String database, Map<Variant, double[]> rps, Map<Variant, double[]> p50, Map<Variant, double[]> p99,
                          Map<Variant, double[]> cpu) {
    }

    private static DatabaseResult measure(String database, Map<Variant, String> urls, long roundMillis, int connections, int rounds,
                                          AtomicLong ids) throws Exception {
        Map<Variant, Process> servers = new EnumMap<>(Variant.class);
        Map<Variant, Integer> ports = new EnumMap<>(Variant.class);
        Variant[] all = urls.keySet().toArray(Variant[]::new);
        try {
            for (Variant v : all) {
                Process server = startServer(v, urls.get(v));
                servers.put(v, server);
                ports.put(v, HttpBenchmark.port(server));
            }
            for (Variant v : all) {
                run(servers.get(v), ports.get(v), 0, WARMUP_SECONDS * 1000L, connections, ids);
            }
            // Then rounds as measured, not counted: after 15 s each, the first rounds at 16 connections still ran
            // every server, even the direct one (no database), at 2-4x its later CPU per request.
            for (int r = 0; r < WARMUP_ROUNDS; r++) {
                for (int i = 0; i < all.length; i++) {
                    Variant v = all[(i + r) % all.length];
                    run(servers.get(v), ports.get(v), HttpBenchmark.SETTLE_MILLIS, roundMillis, connections, ids);
                }
            }
            Map<Variant, double[]> rps = new EnumMap<>(Variant.class);
            Map<Variant, double[]> p50 = new EnumMap<>(Variant.class);
            Map<Variant, double[]> p99 = new EnumMap<>(Variant.class);
            Map<Variant, double[]> cpu = new EnumMap<>(Variant.class);
            for (Variant v : all) {
                rps.put(v, new double[rounds]);
                p50.put(v, new double[rounds]);
                p99.put(v, new double[rounds]);
                cpu.put(v, new double[rounds]);
            }
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s round %d:", database, r + 1));
                for (int i = 0; i < all.length; i++) {
                    Variant v = all[(i + r) % all.length];
                    Load load = run(servers.get(v), ports.get(v), HttpBenchmark.SETTLE_MILLIS, roundMillis, connections, ids);
                    rps.get(v)[r] = load.requestsPerSecond();
                    p50.get(v)[r] = load.p50Micros();
                    p99.get(v)[r] = load.p99Micros();
                    cpu.get(v)[r] = load.cpuMicrosPerRequest();
                    line.append(String.format(Locale.ROOT, " %s %.0f req/s p50 %.0f us p99 %.0f us cpu %.0f us;", v.name().toLowerCase(Locale.ROOT),
                            load.requestsPerSecond(), load.p50Micros(), load.p99Micros(), load.cpuMicrosPerRequest()));
                }
                System.out.println(line);
            }
            return new DatabaseResult(database, rps, p50, p99, cpu);
        } finally {
            servers.values().forEach(Process::destroy);
            for (Process p : servers.values()) {
                p.waitFor();
            }
        }
    }

    /** Two workers handle rows the inbox stored on PostgreSQL, with a no-op handler, for 30 s: rows per second. */
    private static double[] handle(String url) throws Exception {
        try (HikariDataSource pool = pool(url)) {
            JdbcInbox inbox = JdbcInbox.builder(pool).workers(2).pollInterval(Duration.ofMillis(10)).build();
            long pending = inbox.counts().pending();
            WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).onAny(session -> { }).inbox(inbox).build();
            long start = System.nanoTime();
            dev.hookguard.delivery.spi.Adapters.startInbox(endpoint);
            Thread.sleep(HANDLING_SECONDS * 1000L);
            dev.hookguard.delivery.spi.Adapters.stopInbox(endpoint, Duration.ofSeconds(5));
            double seconds = (System.nanoTime() - start) / 1e9;
            long done = inbox.counts().done();
            System.out.printf(Locale.ROOT, "postgresql handling: %d of %d stored rows done by 2 workers in %.1f s: %.0f deliveries/s%n",
                    done, pending, seconds, done / seconds);
            return new double[] {done, seconds, done / seconds};
        }
    }

    static final int HANDLING_SECONDS = 30;

    private static String json(double[] values) {
        return Arrays.toString(values);
    }

    /**
     * Accept on PostgreSQL alone, for each number of connections given: {@code postgres <round seconds> <1,4,16>
     * <rounds> [out.json]}. Each server's pool has as many connections as the clients (at least 8), so the bare
     * INSERT is never short of connections.
     */
    private static void byConnections(String[] args) throws Exception {
        long roundMillis = Math.round(1000 * Double.parseDouble(args[1]));
        int[] counts = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[3]);
        Path out = Path.of(args.length > 4 ? args[4] : "benchmarks/results/inbox-connections.json");
        AtomicLong ids = new AtomicLong();
        StringBuilder json = new StringBuilder("{\"roundMillis\":" + roundMillis + ",\"rounds\":" + rounds + ",\"dbDelayMicros\":"
                + Long.getLong("hookguard.bench.dbDelayMicros", 0) + ",\"byConnections\":[");
        // -Dhookguard.bench.dbDelayMicros=250: the database one network hop away (250 us each way) for inbox and bare.
        long delayMicros = Long.getLong("hookguard.bench.dbDelayMicros", 0);
        try (Postgres postgres = new Postgres();
             DelayProxy hop = delayMicros > 0 ? new DelayProxy(DelayProxy.port(postgres.url), delayMicros) : null) {
            for (int k = 0; k < counts.length; k++) {
                int connections = counts[k];
                System.setProperty("hookguard.bench.pool", Integer.toString(connections));
                Map<Variant, String> urls = new EnumMap<>(Variant.class);
                String inboxUrl = postgres.newDatabase("inbox" + connections);
                String bareUrl = postgres.newDatabase("bare" + connections);
                urls.put(Variant.INBOX, hop == null ? inboxUrl : hop.wrap(inboxUrl));
                urls.put(Variant.BARE, hop == null ? bareUrl : hop.wrap(bareUrl));
                if (!Boolean.getBoolean("hookguard.bench.databaseOnly")) { // -Dhookguard.bench.databaseOnly=true: inbox and bare alone
                    urls.put(Variant.DIRECT, "-");
                    urls.put(Variant.SPOOLED, Path.of("benchmarks", "target", "spools").toAbsolutePath().toString());
                }
                DatabaseResult r = measure("postgresql/" + connections, urls, roundMillis, connections, rounds, ids);
                double[] absent = new double[rounds];
                Arrays.fill(absent, Double.NaN);
                r.rps().putIfAbsent(Variant.SPOOLED, absent);
                r.p50().putIfAbsent(Variant.SPOOLED, absent);
                r.p99().putIfAbsent(Variant.SPOOLED, absent);
                double[] vsBare = new double[rounds];
                double[] p50Ratio = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    vsBare[i] = r.rps().get(Variant.INBOX)[i] / r.rps().get(Variant.BARE)[i];
                    p50Ratio[i] = r.p50().get(Variant.INBOX)[i] / r.p50().get(Variant.BARE)[i];
                }
                double[] spooledVsBare = new double[rounds];
                double[] spooledP50 = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    spooledVsBare[i] = r.rps().get(Variant.SPOOLED)[i] / r.rps().get(Variant.BARE)[i];
                    spooledP50[i] = r.p50().get(Variant.SPOOLED)[i] / r.p50().get(Variant.BARE)[i];
                }
                System.out.printf(Locale.ROOT, "postgresql, %d connections: inbox %.0f req/s p50 %.0f us, bare %.0f req/s p50 %.0f us,"
                        + " spooled %.0f req/s p50 %.0f us: inbox/bare throughput %.2fx, p50 %.2fx; spooled/bare %.2fx, p50 %.2fx"
                        + " (medians of rounds)%n", connections,
                        HttpBenchmark.median(r.rps().get(Variant.INBOX)), HttpBenchmark.median(r.p50().get(Variant.INBOX)),
                        HttpBenchmark.median(r.rps().get(Variant.BARE)), HttpBenchmark.median(r.p50().get(Variant.BARE)),
                        HttpBenchmark.median(r.rps().get(Variant.SPOOLED)), HttpBenchmark.median(r.p50().get(Variant.SPOOLED)),
                        HttpBenchmark.median(vsBare), HttpBenchmark.median(p50Ratio), HttpBenchmark.median(spooledVsBare),
                        HttpBenchmark.median(spooledP50));
                json.append(k == 0 ? "" : ",").append("{\"connections\":").append(connections);
                for (Variant v : r.rps().keySet()) {
                    String name = v.name().toLowerCase(Locale.ROOT);
                    json.append(",\"").append(name).append("\":{\"rps\":").append(json(r.rps().get(v))).append(",\"p50\":")
                            .append(json(r.p50().get(v))).append(",\"p99\":").append(json(r.p99().get(v))).append('}');
                }
                json.append('}');
            }
        }
        json.append("]}\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("serve")) {
            serve(Variant.valueOf(args[1]), args[2]);
            return;
        }
        if (args.length >= 4 && args[0].equals("postgres")) {
            byConnections(args);
            return;
        }
        long roundMillis = Math.round(1000 * (args.length > 0 ? Double.parseDouble(args[0]) : 2));
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path out = Path.of(args.length > 3 ? args[3] : "benchmarks/results/inbox.json");
        AtomicLong ids = new AtomicLong();
        List<DatabaseResult> results = new ArrayList<>();

        Path h2 = Files.createTempDirectory("hookguard-bench-h2");
        Map<Variant, String> h2Urls = new EnumMap<>(Variant.class);
        h2Urls.put(Variant.DIRECT, "-");
        h2Urls.put(Variant.INBOX, "jdbc:h2:retry:" + h2.resolve("inbox"));
        // As durable as the inbox makes its own H2 database: a commit is written when it returns.
        h2Urls.put(Variant.BARE, "jdbc:h2:retry:" + h2.resolve("bare") + ";WRITE_DELAY=0");
        results.add(measure("h2", h2Urls, roundMillis, connections, rounds, ids));

        double[] handling;
        try (Postgres postgres = new Postgres()) {
            Map<Variant, String> pgUrls = new EnumMap<>(Variant.class);
            pgUrls.put(Variant.DIRECT, "-");
            pgUrls.put(Variant.INBOX, postgres.newDatabase("inbox"));
            pgUrls.put(Variant.BARE, postgres.newDatabase("bare"));
            results.add(measure("postgresql", pgUrls, roundMillis, connections, rounds, ids));
            handling = handle(pgUrls.get(Variant.INBOX));
        }

        StringBuilder json = new StringBuilder(String.format(Locale.ROOT, "{\"roundMillis\":%d,\"connections\":%d,\"rounds\":%d,\"databases\":[",
                roundMillis, connections, rounds));
        for (int i = 0; i < results.size(); i++) {
            DatabaseResult r = results.get(i);
            json.append(i == 0 ? "" : ",").append("{\"database\":\"").append(r.database()).append('"');
            for (Variant v : r.rps().keySet()) {
                String name = v.name().toLowerCase(Locale.ROOT);
                json.append(",\"").append(name).append("\":{\"rps\":").append(json(r.rps().get(v))).append(",\"p50\":").append(json(r.p50().get(v)))
                        .append(",\"p99\":").append(json(r.p99().get(v))).append(",\"cpu\":").append(json(r.cpu().get(v))).append('}');
            }
            json.append('}');
            double[] vsBare = new double[rounds];
            double[] vsDirect = new double[rounds];
            for (int k = 0; k < rounds; k++) {
                vsBare[k] = r.rps().get(Variant.INBOX)[k] / r.rps().get(Variant.BARE)[k];
                vsDirect[k] = r.rps().get(Variant.INBOX)[k] / r.rps().get(Variant.DIRECT)[k];
            }
            System.out.printf(Locale.ROOT, "%s: inbox/bare %.3f, inbox/direct %.3f (medians of rounds)%n", r.database(),
                    HttpBenchmark.median(vsBare), HttpBenchmark.median(vsDirect));
        }
        json.append(String.format(Locale.ROOT, "],\"handling\":{\"rows\":%.0f,\"seconds\":%.2f,\"perSecond\":%.1f}}%n", handling[0], handling[1], handling[2]));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
    }
}
