package dev.hookguard.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import com.sun.management.OperatingSystemMXBean;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.signature.SignatureScheme;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What a store's timeout costs, on one thread against PostgreSQL (fsync on), with no HTTP: the latency and the
 * process's CPU per store of
 * <ul>
 *   <li>{@code bare}: one autocommit {@code INSERT} of a 600-byte body;</li>
 *   <li>{@code bareQueryTimeout}: the same with {@code setQueryTimeout(5)}, which the driver keeps with a task on its
 *   timer thread for every statement (what the inbox's stores did until its {@code StoreDeadline});</li>
 *   <li>{@code bareScheduledDeadline}: the same with a task scheduled and cancelled on a
 *   {@code ScheduledThreadPoolExecutor} around it (a deadline per store);</li>
 *   <li>{@code inbox}: {@code JdbcInbox.store} of a one-part delivery of the same body (its deadline kept by the
 *   watch thread).</li>
 * </ul>
 * Rounds of 3,000 stores each, the order rotating; medians of rounds.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.StoreTimeoutBenchmark [rounds] [out.json]</pre>
 */
public final class StoreTimeoutBenchmark {

    private static final String[] VARIANTS = {"bare", "bareQueryTimeout", "bareScheduledDeadline", "inbox"};
    private static final int STORES = 3_000;

    private StoreTimeoutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Path out = Path.of(args.length > 1 ? args[1] : "benchmarks/results/store-timeout.json");
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        timer.setRemoveOnCancelPolicy(true);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, double[]> p50 = new LinkedHashMap<>();
        Map<String, double[]> cpu = new LinkedHashMap<>();
        for (String v : VARIANTS) {
            p50.put(v, new double[rounds]);
            cpu.put(v, new double[rounds]);
        }
        try (InboxBenchmark.Postgres postgres = new InboxBenchmark.Postgres();
             HikariDataSource pool = InboxBenchmark.pool(postgres.newDatabase("storetimeout"))) {
            JdbcInbox inbox = JdbcInbox.builder(pool).build();
            inbox.initializeSchema();
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("create table bare_insert (id varchar(36) primary key, body bytea not null, received_at bigint not null)");
            }
            byte[] body = new byte[600];
            Arrays.fill(body, (byte) 'x');
            Headers headers = Headers.of("Content-Type", "application/json", "X-Instance-Id", "bench00001", "X-Signature", "sha256=" + "ab".repeat(32));
            long key = 0;
            for (int round = -2; round < rounds; round++) { // two rounds of warm-up
                StringBuilder line = new StringBuilder(round < 0 ? "warm-up:" : "round " + (round + 1) + ":");
                for (int k = 0; k < VARIANTS.length; k++) {
                    String variant = VARIANTS[Math.floorMod(k + round, VARIANTS.length)];
                    long[] latencies = new long[STORES];
                    long cpuBefore = os.getProcessCpuTime();
                    for (int i = 0; i < STORES; i++) {
                        long start = System.nanoTime();
                        if (variant.equals("inbox")) {
                            inbox.store(new InboxDelivery(SignatureScheme.MALCOLM, "", List.of(new InboxDelivery.Part(
                                    "malcolm:bench00001:s" + (++key), "session", body)), body, headers));
                        } else {
                            ScheduledFuture<?> deadline = variant.equals("bareScheduledDeadline")
                                    ? timer.schedule(() -> { }, 5, TimeUnit.SECONDS) : null;
                            try (Connection c = pool.getConnection();
                                 PreparedStatement insert = c.prepareStatement("insert into bare_insert (id, body, received_at) values (?, ?, ?)")) {
                                if (variant.equals("bareQueryTimeout")) {
                                    insert.setQueryTimeout(5);
                                }
                                insert.setString(1, UUID.randomUUID().toString());
                                insert.setBytes(2, body);
                                insert.setLong(3, System.currentTimeMillis());
                                insert.executeUpdate();
                            }
                            if (deadline != null) {
                                deadline.cancel(false);
                            }
                        }
                        latencies[i] = System.nanoTime() - start;
                    }
                    double cpuMicros = (os.getProcessCpuTime() - cpuBefore) / 1000.0 / STORES;
                    Arrays.sort(latencies);
                    double median = latencies[STORES / 2] / 1000.0;
                    line.append(String.format(Locale.ROOT, " %s p50 %.0f us cpu %.1f us;", variant, median, cpuMicros));
                    if (round >= 0) {
                        p50.get(variant)[round] = median;
                        cpu.get(variant)[round] = cpuMicros;
                    }
                }
                System.out.println(line);
            }
            inbox.close();
        } finally {
            timer.shutdownNow();
        }
        StringBuilder json = new StringBuilder("{\"stores\":" + STORES + ",\"rounds\":" + rounds);
        for (String v : VARIANTS) {
            json.append(",\"").append(v).append("\":{\"p50\":").append(Arrays.toString(p50.get(v))).append(",\"cpu\":")
                    .append(Arrays.toString(cpu.get(v))).append('}');
            System.out.printf(Locale.ROOT, "%s: p50 %.0f us (%.2fx bare), process CPU %.1f us per store (%+.1f us against bare) (medians of rounds)%n",
                    v, HttpBenchmark.median(p50.get(v)), HttpBenchmark.median(p50.get(v)) / HttpBenchmark.median(p50.get("bare")),
                    HttpBenchmark.median(cpu.get(v)), HttpBenchmark.median(cpu.get(v)) - HttpBenchmark.median(cpu.get("bare")));
        }
        json.append("}\n");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
        System.exit(0); // the pool's and the inbox's threads
    }
}
