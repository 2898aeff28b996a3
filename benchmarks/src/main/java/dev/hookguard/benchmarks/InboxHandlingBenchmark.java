package dev.hookguard.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the inbox's workers do per second on PostgreSQL (a cluster of the benchmark's own, fsync on), each round:
 * <ul>
 *   <li>{@code handling}: two workers of one inbox drain {@value #ROWS} stored Malcolm! sessions with a no-op handler;</li>
 *   <li>{@code one commit per row}: the baseline, in the same round, on the same server: two threads each take one due
 *       row ({@code FOR UPDATE SKIP LOCKED}) and mark it done in a transaction of its own, the floor of any design
 *       that settles a row per commit (as the inbox of schema version 1 did);</li>
 *   <li>{@code batch} against {@code singles}: how long two workers take to drain one Mautic body of 2,000
 *       {@code lead_post_save_update} events, and 2,000 single deliveries of the same events.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hookguard.benchmarks.InboxHandlingBenchmark [rounds] [out.json]</pre>
 */
public final class InboxHandlingBenchmark {

    static final int ROWS = 30_000;
    static final int EVENTS = 2_000;
    private static final String SECRET = VerifyBenchmark.SECRET;

    private InboxHandlingBenchmark() {
    }

    /** Rows handled so far, counted by the inbox's listener: polling counts() would scan the table under the workers. */
    private static final java.util.concurrent.atomic.AtomicLong HANDLED = new java.util.concurrent.atomic.AtomicLong();

    private static JdbcInbox inbox(HikariDataSource pool) {
        JdbcInbox inbox = JdbcInbox.builder(pool).workers(2).pollInterval(Duration.ofMillis(10))
                .listener(new dev.hookguard.inbox.InboxListener() {
                    @Override
                    public void handled(SignatureScheme scheme) {
                        HANDLED.incrementAndGet();
                    }
                }).build();
        inbox.initializeSchema();
        return inbox;
    }

    /** Rows per second: {@value #ROWS} sessions stored (8 threads), then drained by two workers. */
    static double handling(String url) throws Exception {
        try (HikariDataSource pool = InboxBenchmark.pool(url)) {
            JdbcInbox inbox = inbox(pool);
            WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).onAny(session -> { }).inbox(inbox).build();
            store(ROWS, seq -> {
                byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(seq, true).put("id", "ws-bench-" + seq));
                return new Delivery("POST", Headers.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body)), body, "bench");
            }, endpoint::process);
            analyze(pool, "hookguard_inbox");
            return drain(inbox, endpoint, ROWS);
        }
    }

    /**
     * The baseline: rows per second when each row is settled in a commit of its own, by two threads, each updating
     * rows it knows by id (no claim query at all): the ceiling of any design that commits once per row.
     */
    static double oneCommitPerRow(String url) throws Exception {
        try (HikariDataSource pool = InboxBenchmark.pool(url)) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("create table baseline (id bigint primary key, body bytea not null, state varchar(8) not null)");
                s.execute("insert into baseline select i, convert_to(repeat('x', 600), 'UTF8'), 'PENDING' from generate_series(1, " + ROWS + ") i");
            }
            long start = System.nanoTime();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t + 1;
                done.add(threads.submit(() -> {
                    int rows = 0;
                    try (Connection c = pool.getConnection();
                         PreparedStatement settle = c.prepareStatement("update baseline set state = 'DONE' where id = ? and state = 'PENDING'")) {
                        c.setAutoCommit(true);
                        for (long id = first; id <= ROWS; id += 2) {
                            settle.setLong(1, id);
                            rows += settle.executeUpdate();
                        }
                    }
                    return rows;
                }));
            }
            int rows = 0;
            for (Future<Integer> f : done) {
                rows += f.get();
            }
            threads.shutdown();
            return rows / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Seconds two workers take to drain {@value #EVENTS} events stored as one body, or as as many single deliveries. */
    static double drainSeconds(String url, boolean asOneBatch) throws Exception {
        try (HikariDataSource pool = InboxBenchmark.pool(url)) {
            JdbcInbox inbox = inbox(pool);
            WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(batch -> { }).inbox(inbox).build();
            List<OutgoingEvent> events = SampleEvents.of("mautic.lead_post_save_update", 1, EVENTS);
            if (asOneBatch) {
                endpoint.process(mautic(MauticSender.queueBody(events)));
            } else {
                store(EVENTS, seq -> mautic(MauticSender.queueBody(List.of(events.get(seq)))), endpoint::process);
            }
            analyze(pool, "hookguard_inbox");
            return EVENTS / drain(inbox, endpoint, EVENTS);
        }
    }

    private static Delivery mautic(byte[] body) {
        return new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body)), body, "bench");
    }

    private static void store(int count, java.util.function.IntFunction<Delivery> delivery,
                              java.util.function.Function<Delivery, ?> process) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> stored = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t;
            stored.add(threads.submit(() -> {
                for (int seq = first; seq < count; seq += 8) {
                    process.apply(delivery.apply(seq));
                }
            }));
        }
        for (Future<?> f : stored) {
            f.get();
        }
        threads.shutdown();
    }

    /**
     * Statistics for a table just filled, as autovacuum would gather within its minute: without them the planner
     * guesses one row and sorts the whole pending set on every claim.
     */
    private static void analyze(HikariDataSource pool, String table) throws java.sql.SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("analyze " + table);
        }
    }

    /** Rows per second from the workers' start until {@code rows} are done. */
    private static double drain(JdbcInbox inbox, WebhookEndpoint<?> endpoint, int rows) throws InterruptedException {
        HANDLED.set(0);
        long start = System.nanoTime();
        dev.hookguard.delivery.spi.Adapters.startInbox(endpoint);
        while (HANDLED.get() < rows) {
            Thread.sleep(1);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        dev.hookguard.delivery.spi.Adapters.stopInbox(endpoint, Duration.ofSeconds(5));
        if (inbox.counts().done() != rows) {
            throw new IllegalStateException("not every row is done: " + inbox.counts());
        }
        return rows / seconds;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path out = Path.of(args.length > 1 ? args[1] : "benchmarks/results/inbox-handling.json");
        double[] handling = new double[rounds];
        double[] baseline = new double[rounds];
        double[] batch = new double[rounds];
        double[] singles = new double[rounds];
        try (InboxBenchmark.Postgres postgres = new InboxBenchmark.Postgres()) {
            for (int round = 0; round < rounds; round++) {
                // Alternate which goes first, so neither always meets a colder or a busier server.
                if (round % 2 == 0) {
                    handling[round] = handling(postgres.newDatabase("h" + round));
                    baseline[round] = oneCommitPerRow(postgres.newDatabase("b" + round));
                    batch[round] = drainSeconds(postgres.newDatabase("x" + round), true);
                    singles[round] = drainSeconds(postgres.newDatabase("s" + round), false);
                } else {
                    baseline[round] = oneCommitPerRow(postgres.newDatabase("b" + round));
                    handling[round] = handling(postgres.newDatabase("h" + round));
                    singles[round] = drainSeconds(postgres.newDatabase("s" + round), false);
                    batch[round] = drainSeconds(postgres.newDatabase("x" + round), true);
                }
                System.out.printf(Locale.ROOT, "round %d: handling %.0f rows/s, one commit per row %.0f rows/s (%.2fx); drain of %d events:"
                        + " one batch %.2f s, singles %.2f s (%.2fx)%n", round + 1, handling[round], baseline[round],
                        handling[round] / baseline[round], EVENTS, batch[round], singles[round], batch[round] / singles[round]);
            }
        }
        String json = String.format(Locale.ROOT, "{\"rows\":%d,\"events\":%d,\"handling\":%s,\"oneCommitPerRow\":%s,\"batchSeconds\":%s,"
                + "\"singlesSeconds\":%s}%n", ROWS, EVENTS, Arrays.toString(handling), Arrays.toString(baseline), Arrays.toString(batch),
                Arrays.toString(singles));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, json);
    }
}
