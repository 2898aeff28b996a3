package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.testsupport.TestPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A handler that cannot be interrupted (inside a statement the server runs, or a driver an Error left out of step with
 * its server) or that hides a stop's interrupt: what the inbox does with it and with the rest of its batch. Found by an
 * attack review: the first three held a whole batch locked for as long as the server's statement ran (for good, for a
 * driver out of step), and the last counted a stop as a failed attempt.
 */
class AbandonedHandlerTest {

    private static final String SECRET = InboxWorkerProcess.SECRET;
    private final List<JdbcInbox> started = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        started.forEach(inbox -> inbox.stop(Duration.ofSeconds(1)));
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private JdbcInbox inbox(DataSource dataSource, int maxAttempts, Duration handlerTimeout) {
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(maxAttempts).backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(handlerTimeout).workers(1).build();
        inbox.initializeSchema();
        started.add(inbox);
        return inbox;
    }

    /** PostgreSQL through HikariCP, as in production: the cancel must reach the driver's connection through the pool's proxy. */
    private DataSource pooled() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(TestPostgres.newDatabase());
        config.setMaximumPoolSize(6);
        HikariDataSource pool = new HikariDataSource(config);
        open.add(pool);
        return pool;
    }

    private DataSource dataSource(Database database) throws Exception {
        return database == Database.POSTGRESQL ? pooled() : database.dataSource();
    }

    private static Delivery fourForms() {
        return JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 4));
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aHandlerStuckInAStatementPastItsTimeoutIsAbandonedAndTheRestOfItsBatchIsHandledAtOnce(Database database) throws Exception {
        DataSource dataSource = dataSource(database);
        JdbcInbox inbox = inbox(dataSource, 3, Duration.ofSeconds(1));
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        String slow = database == Database.POSTGRESQL ? "select pg_sleep(25)"
                : "select sum(x) from system_range(1, 3000000000) where mod(x, 7) = 3";
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            long id = form.submission().id().orElseThrow();
            if (runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1 && id == 20001) {
                try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                    s.execute(slow); // the server runs it: an interrupt never reaches a thread reading the driver's socket
                }
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(fourForms()).status()).isEqualTo(202);
        inbox.start(endpoint);
        // Timeout 1 s, the abandon's grace 2 s, then the rows are free: the others are done long before the statement's 25 s.
        await(Duration.ofSeconds(10), () -> inbox.counts().done() == 4, "all four done; rows: " + states(dataSource));
        assertThat(runs.get(20001L).get()).as("the stuck row failed once, then was handled").isEqualTo(2);
        assertThat(inbox.liveWorkers()).isEqualTo(1);
    }

    @Test
    void aStopWhileAHandlerWaitsInAStatementGivesItsBatchBackToTheNextInstanceAtOnce() throws Exception {
        DataSource dataSource = pooled();
        JdbcInbox inbox = inbox(dataSource, 5, Duration.ofSeconds(60));
        AtomicInteger slowRuns = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            if (form.submission().id().orElseThrow() == 20001) {
                slowRuns.incrementAndGet();
                try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                    s.execute("select pg_sleep(25)"); // a slow report, well within the handler timeout
                }
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(fourForms()).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(Duration.ofSeconds(10), () -> slowRuns.get() == 1, "the slow handler runs");
        inbox.stop(Duration.ofMillis(500));
        started.remove(inbox);
        JdbcInbox next = inbox(dataSource, 5, Duration.ofSeconds(60));
        next.start(WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> { }).inbox(next).build());
        await(Duration.ofSeconds(8), () -> next.counts().done() == 4, "the batch handled by the next instance; rows: " + states(dataSource));
    }

    /**
     * The database stalls while a handler's writes are kept (its backend stopped, as a saturated disk or a failover
     * stalls it), for longer than the handler timeout but less than the 10 s floor: the row is done, its handler run
     * once. Found by an attack review: the settle watch first gave up at the handler timeout, and failed a row whose
     * handler had succeeded.
     */
    @Test
    void aDatabaseStallWhileAHandlersWritesAreKeptPastItsTimeoutFailsNothing() throws Exception {
        DataSource dataSource = pooled();
        JdbcInbox inbox = inbox(dataSource, 1, Duration.ofSeconds(1));
        AtomicInteger runs = new AtomicInteger();
        List<Long> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            runs.incrementAndGet();
            long backend;
            try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement(); // a savepoint: kept at the return
                 ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                backend = rs.getLong(1);
            }
            signal("STOP", backend);
            stopped.add(backend);
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        try {
            inbox.start(endpoint);
            await(Duration.ofSeconds(10), () -> !stopped.isEmpty(), "the handler ran and stopped its backend");
            Thread.sleep(3_000); // three handler timeouts, while the savepoint's release waits for the stopped backend
        } finally {
            for (long backend : stopped) {
                signal("CONT", backend);
            }
        }
        await(Duration.ofSeconds(10), () -> inbox.counts().done() == 1, "done once the database answers; rows: " + states(dataSource));
        assertThat(runs.get()).as("its handler ran once").isEqualTo(1);
        assertThat(inbox.counts().dead()).isZero();
    }

    /** Sends a signal to a PostgreSQL backend: the tests run as its user, or as root (as .ci/run does). */
    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(kill.waitFor()).as("kill -%s %d: %s", name, pid, output).isZero();
    }

    /** A StackOverflowError inside the driver, mid-statement: on PostgreSQL the driver and its server then wait for each other. */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aStackOverflowInsideTheDriverFailsItsRowAloneAndAWorkerGoesOn(Database database) throws Exception {
        DataSource dataSource = dataSource(database);
        JdbcInbox inbox = inbox(dataSource, 3, Duration.ofSeconds(2));
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            long id = form.submission().id().orElseThrow();
            int run = runs.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                s.execute("select 1");
            }
            if (id == 20002 && run == 1) {
                deepQuery(JdbcInbox.currentTransaction().orElseThrow(), 0);
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(fourForms()).status()).isEqualTo(202);
        inbox.start(endpoint);
        // A stuck rollback is given up at the handler timeout, and 10 s at least (Workers.SETTLE_FLOOR).
        await(Duration.ofSeconds(25), () -> inbox.counts().done() == 4, "all four done; rows: " + states(dataSource));
        assertThat(runs.get(20002L).get()).isEqualTo(2);
        assertThat(runs.get(20004L).get()).as("a row after the poison one, never reached before it").isEqualTo(1);
        assertThat(inbox.liveWorkers()).isEqualTo(1);
    }

    private static void deepQuery(Connection c, int depth) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select ? + 1")) {
            ps.setInt(1, depth);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
        deepQuery(c, depth + 1);
    }

    /** The usual {@code catch (InterruptedException e) { throw new RuntimeException(e); }} clears the flag it wraps. */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aStopGivesBackUncountedARowWhoseHandlerWrapsTheInterrupt(Database database) throws Exception {
        DataSource dataSource = dataSource(database);
        JdbcInbox inbox = inbox(dataSource, 1, Duration.ofSeconds(30));
        AtomicInteger running = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            running.incrementAndGet();
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                throw new IllegalStateException("interrupted", e);
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(Duration.ofSeconds(10), () -> running.get() == 1, "running");
        inbox.stop(Duration.ofMillis(100));
        started.remove(inbox);
        assertThat(inbox.counts().pending()).as("given back; rows: " + states(dataSource)).isEqualTo(1);
        assertThat(inbox.list(JdbcInbox.State.PENDING, 1).get(0).attempts()).as("a stop is not an attempt").isZero();
    }

    /**
     * A part that kills its instance (kill -9, the OOM killer, {@code -XX:+ExitOnOutOfMemoryError}) each time it runs,
     * in a claim of four. Each crash used to count an attempt for the whole claim: the three others ended dead
     * ({@code worker_lost}) without their handler ever running. A supervisor restarts the instance after each crash.
     */
    @Test
    void aPartThatKillsItsInstanceEndsDeadAloneAndItsNeighboursAreHandled() throws Exception {
        String url = TestPostgres.newDatabase();
        DataSource dataSource = TestPostgres.dataSource(url);
        int maxAttempts = 2;
        JdbcInbox storing = JdbcInbox.builder(dataSource).maxAttempts(maxAttempts).build();
        storing.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> { }).inbox(storing).build();
        assertThat(endpoint.process(fourForms()).status()).isEqualTo(202);
        String poison = storing.list(JdbcInbox.State.PENDING, 4).get(3).partKey();
        for (int life = 0; life < 8 && !(storing.counts().done() == 3 && storing.counts().dead() == 1); life++) {
            Process process = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Crasher.class.getName(), url, poison, Integer.toString(maxAttempts))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // A life ends in a crash, or, with nothing left to handle, in a clean stop; never in the test's kill.
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        assertThat(storing.counts().done()).as("the three others handled; rows: " + states(dataSource)).isEqualTo(3);
        List<InboxEntry> dead = storing.list(JdbcInbox.State.DEAD, 10);
        assertThat(dead).extracting(InboxEntry::partKey).containsExactly(poison);
        assertThat(dead.get(0).attempts()).as("each of its own crashes counted").isEqualTo(maxAttempts);
        assertThat(dead.get(0).failure().orElseThrow().type()).isEqualTo("worker_lost");
    }

    /**
     * The same with the default two workers, whose other handlers take a second: the poison part's crash takes the
     * row the other worker has in hand. Found by an attack review: after the first crash every row had lost its
     * worker and each ran in a claim of its own, two at a time, so the other worker's row was charged for the
     * poison's next crash, and with {@code maxAttempts(1)} died without its handler ever failing. A row that lost its
     * worker now runs alone in its instance, nothing beside it.
     */
    @Test
    void aPartThatKillsItsInstanceChargesNoRowAnotherWorkerHadInHand() throws Exception {
        String url = TestPostgres.newDatabase();
        DataSource dataSource = TestPostgres.dataSource(url);
        JdbcInbox storing = JdbcInbox.builder(dataSource).maxAttempts(1).build();
        storing.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> { }).inbox(storing).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 8))).status()).isEqualTo(202);
        String poison = storing.list(JdbcInbox.State.PENDING, 8).get(7).partKey();
        for (int life = 0; life < 8 && storing.counts().done() + storing.counts().dead() < 8; life++) {
            Process process = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), Crasher.class.getName(), url, poison, "1", "2", "1000")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        assertThat(storing.list(JdbcInbox.State.DEAD, 10)).extracting(InboxEntry::partKey).as("only the poison part dead; rows: "
                + states(dataSource)).containsExactly(poison);
        assertThat(storing.counts().done()).isEqualTo(7);
    }

    /**
     * A handler abandoned for ignoring its interrupt still runs, and later kills the process, while a row that lost its
     * worker before runs "alone". Found by an attack review: the row was charged for the crash (with {@code
     * maxAttempts(1)}, dead, its handler about to succeed). While an abandoned handler of its instance still runs, a row
     * taken alone runs under a batch's claim, which a lost worker does not charge.
     */
    @Test
    void aRowRunningAloneBesideAnAbandonedHandlerThatKillsTheProcessIsNotCharged() throws Exception {
        String url = TestPostgres.newDatabase();
        DataSource dataSource = TestPostgres.dataSource(url);
        JdbcInbox storing = JdbcInbox.builder(dataSource).maxAttempts(1).build();
        storing.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> { }).inbox(storing).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 2))).status()).isEqualTo(202);
        String innocent = "mautic:form_on_submit:20001";
        // The innocent row lost its worker earlier (a batch of a dead instance), and is due once the zombie runs.
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("update hookguard_inbox set error_class = 'worker_lost', next_attempt_at = ? where part_key = ?")) {
            s.setLong(1, System.currentTimeMillis() + 6_000);
            s.setString(2, innocent);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        Process process = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ZombieInstance.class.getName(), url, "mautic:form_on_submit:20002", innocent)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        assertThat(process.exitValue()).as("the zombie halted the process").isEqualTo(137);
        Thread.sleep(JdbcInbox.CLAIM_GRACE.toMillis() + 500);
        storing.rescue(10, java.util.Set.of(dev.hookguard.signature.SignatureScheme.MAUTIC));

        assertThat(storing.show(innocent).orElseThrow().state()).as("rows: " + states(dataSource)).isEqualTo(JdbcInbox.State.PENDING);
        assertThat(storing.show(innocent).orElseThrow().attempts()).isZero();
    }

    /** {@code url zombie innocent}: two workers, handler timeout 3 s; the zombie ignores its interrupt, then halts the JVM. */
    public static final class ZombieInstance {
        static volatile boolean innocentRunning;

        public static void main(String[] args) throws Exception {
            String zombie = args[1];
            String innocent = args[2];
            JdbcInbox inbox = JdbcInbox.builder(TestPostgres.dataSource(args[0])).maxAttempts(1).pollInterval(Duration.ofMillis(20))
                    .handlerTimeout(Duration.ofSeconds(3)).workers(2).build();
            WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
                if (form.idempotencyKey().equals(zombie)) {
                    while (!innocentRunning) {
                        Thread.onSpinWait(); // deaf to its interrupt
                    }
                    long until = System.nanoTime() + 300_000_000L;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    Runtime.getRuntime().halt(137);
                }
                if (form.idempotencyKey().equals(innocent)) {
                    innocentRunning = true;
                    Thread.sleep(2_000); // within its timeout: it would succeed
                }
            }).inbox(inbox).build();
            inbox.start(endpoint);
            Thread.sleep(30_000);
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * An instance whose handler halts the JVM on the poison part, as kill -9 would: {@code url poison maxAttempts
     * [workers [milliseconds each other handler takes]]}.
     */
    public static final class Crasher {
        public static void main(String[] args) throws Exception {
            String url = args[0];
            String poison = args[1];
            int workers = args.length > 3 ? Integer.parseInt(args[3]) : 1;
            long millis = args.length > 4 ? Long.parseLong(args[4]) : 0;
            JdbcInbox inbox = JdbcInbox.builder(TestPostgres.dataSource(url)).maxAttempts(Integer.parseInt(args[2]))
                    .pollInterval(Duration.ofMillis(20)).workers(workers).build();
            WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
                if (form.idempotencyKey().equals(poison)) {
                    Runtime.getRuntime().halt(137);
                }
                Thread.sleep(millis);
            }).inbox(inbox).build();
            inbox.start(endpoint);
            // Once nothing is left to handle, a clean stop: a kill by the test would be a crash, charged to a row running alone.
            InboxCounts counts;
            do {
                Thread.sleep(100);
                counts = inbox.counts();
            } while (counts.pending() + counts.running() > 0);
            inbox.stop(Duration.ofSeconds(10));
            System.exit(0);
        }
    }

    static void await(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError(what + ": not reached within " + within);
            }
            Thread.sleep(20);
        }
    }

    private static String states(DataSource dataSource) {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select part_key, state, attempts, error_class from hookguard_inbox order by delivery_key")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getString(2)).append('/').append(rs.getInt(3)).append('/')
                        .append(rs.getString(4)).append("  ");
            }
        } catch (SQLException e) {
            return e.getClass().getName();
        }
        return out.toString();
    }
}
