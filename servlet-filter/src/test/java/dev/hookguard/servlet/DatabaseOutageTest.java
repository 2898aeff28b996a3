package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The inbox's PostgreSQL server stops (immediately, as a crash would) in the middle of a run of Mautic-5 deliveries,
 * which are never retried, and starts again. A PostgreSQL cluster of its own (from Debian's packages, through
 * {@code .ci/postgres.sh}), so the server every other test shares stays up; Jetty and the reference sender on real sockets.
 */
class DatabaseOutageTest {

    private static final Path SCRIPT = Path.of("..", ".ci", "postgres.sh").toAbsolutePath().normalize();

    private Path clusterDir;
    private String clusterUrl;
    private final java.util.List<Process> receivers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopCluster() throws Exception {
        for (Process receiver : receivers) {
            receiver.destroyForcibly().waitFor();
        }
        if (clusterDir != null) {
            run("stop");
        }
    }

    private String run(String action) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(SCRIPT.toString(), action, clusterDir.resolve("pg").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes()).strip();
        Assertions.assertEquals(0, process.waitFor(), ".ci/postgres.sh " + action + " failed");
        return out;
    }

    private String startCluster() throws Exception {
        boolean installed;
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            installed = versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
        } catch (IOException e) {
            installed = false;
        }
        if (!installed) {
            String hint = "PostgreSQL is not installed: .ci/run installs it";
            if (System.getenv("CI") != null) {
                Assertions.fail(hint);
            }
            Assumptions.abort(hint);
        }
        // The server runs as user postgres when the build runs as root: it must reach the directory.
        clusterDir = Files.createTempDirectory("hookguard-outage", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        return run("start");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not reached within 30 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * The handler writes its effect through the inbox's transaction: a crash between the handler and "done" (which
     * this test provokes at random) reruns the handler after the restart, so calls are at least once, but the
     * effect commits with "done" and exists exactly once.
     */
    private static void recordEffect(long submission) throws SQLException {
        Connection c = JdbcInbox.currentTransaction().orElseThrow();
        try (PreparedStatement ps = c.prepareStatement("insert into outage_effects (submission) values (?)")) {
            ps.setLong(1, submission);
            ps.executeUpdate();
        }
    }

    /** This test's own PostgreSQL server, started; it can be stopped and resumed while the inbox runs. */
    private PGSimpleDataSource outageCluster() throws Exception {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        clusterUrl = startCluster();
        postgres.setURL(clusterUrl);
        postgres.setConnectTimeout(2);
        return postgres;
    }

    /** An inbox with short timeouts and retries, and the table the handlers record their effects in. */
    private static JdbcInbox outageInbox(PGSimpleDataSource postgres) throws SQLException {
        JdbcInbox inbox = JdbcInbox.builder(postgres).storeTimeout(Duration.ofSeconds(2)).handlerTimeout(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        try (Connection c = postgres.getConnection(); Statement s = c.createStatement()) {
            s.execute("create table outage_effects (submission bigint not null)"); // no unique key: a second effect must show
        }
        return inbox;
    }

    private static Map<Long, Integer> effects(DataSource dataSource) throws SQLException {
        Map<Long, Integer> effects = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select submission, count(*) from outage_effects group by submission")) {
            while (rs.next()) {
                effects.put(rs.getLong(1), rs.getInt(2));
            }
        }
        return effects;
    }

    @Test
    void whileTheDatabaseIsDownEveryDeliveryIs503AndOnceItIsBackEveryAcknowledgedOneTakesEffectOnce() throws Exception {
        PGSimpleDataSource postgres = outageCluster();
        JdbcInbox inbox = outageInbox(postgres);
        Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET)
                .on(FormSubmitted.class, form -> {
                    recordEffect(form.submission().id().orElseThrow());
                    handled.computeIfAbsent(form.submission().id().orElseThrow(), k -> new AtomicInteger()).incrementAndGet();
                })
                .inbox(inbox).build();
        Map<Long, Integer> answered = new ConcurrentHashMap<>();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        dev.hookguard.delivery.spi.Adapters.startInbox(endpoint);
        try (JettyApp app = JettyApp.create().filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic").start()) {
            MauticSender mautic5 = MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).retryPolicy(RetryPolicy.MAUTIC5).build();
            Thread sender = new Thread(() -> {
                for (long seq = 1; running.get(); seq++) {
                    SendReport report = mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", (int) seq, 1));
                    int status = report.attempts().get(report.attempts().size() - 1).status();
                    answered.put(20_000 + seq, status); // SampleEvents numbers submissions from 20,000
                    (status == 202 ? accepted : refused).incrementAndGet();
                }
            }, "mautic-5");
            sender.start();
            try {
                await(() -> accepted.get() >= 40, "40 deliveries stored");
                run("stop");
                int acceptedBefore = accepted.get();
                await(() -> refused.get() >= 15, "15 deliveries refused while the database is down");
                run("resume");
                await(() -> accepted.get() >= acceptedBefore + 40, "40 more deliveries stored after the restart");
            } finally {
                running.set(false); // not an interrupt: that would cut a request short
                sender.join(10_000);
            }
            // One snapshot: two counts could straddle the rescuer moving an orphan from running back to pending.
            await(() -> {
                var counts = inbox.counts();
                return counts.pending() == 0 && counts.running() == 0;
            }, "every stored delivery settled");
        } finally {
            dev.hookguard.delivery.spi.Adapters.stopInbox(endpoint, Duration.ofSeconds(5));
        }
        Set<Long> acknowledged = answered.entrySet().stream().filter(e -> e.getValue() == 202).map(Map.Entry::getKey).collect(Collectors.toSet());
        Map<Long, Integer> effects = effects(postgres);
        assertThat(answered.values()).as("202 when stored, 503 when not; nothing else").containsOnly(202, 503);
        assertThat(refused.get()).isGreaterThanOrEqualTo(15);
        assertThat(inbox.counts().dead()).as("dead deliveries").isZero();
        assertThat(effects.keySet()).as("an effect for every acknowledged delivery, and for nothing else").isEqualTo(acknowledged);
        assertThat(effects).as("each effect exactly once").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        long reruns = handled.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
        System.out.printf("DatabaseOutageTest: %d deliveries, %d x 202 (each one effect), %d x 503 while the database was down; %d handler reruns after the crash%n",
                answered.size(), accepted.get(), refused.get(), reruns);
    }

    /**
     * Why a spool is needed (issue 26), as documentation that runs: without one, a Mautic 5 webhook (played by
     * {@link dev.hookguard.sender.MauticWebhook}) loses every delivery answered 503 while the database is away, and once
     * none of its last 100 logs is 2xx (51 failures after a success: each failure logs twice) Mautic unpublishes it:
     * nothing more is sent after the database is back.
     */
    @Test
    void withoutASpoolAMautic5WebhookLosesWhatWas503AndIsUnpublishedAfter51FailuresInARow() throws Exception {
        PGSimpleDataSource postgres = outageCluster();
        JdbcInbox inbox = outageInbox(postgres);
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET)
                .on(FormSubmitted.class, form -> recordEffect(form.submission().id().orElseThrow())).inbox(inbox).build();
        dev.hookguard.delivery.spi.Adapters.startInbox(endpoint);
        try (JettyApp app = JettyApp.create().filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic").start()) {
            dev.hookguard.sender.MauticWebhook mautic5 = dev.hookguard.sender.MauticWebhook.builder(
                    MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).build()).retryPolicy(RetryPolicy.MAUTIC5).build();
            SendReport before = mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", 1, 10));
            assertThat(before.delivered()).isEqualTo(10);
            run("stop");
            SendReport during = mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", 11, 60));
            run("resume");
            SendReport after = mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", 71, 5));
            await(() -> {
                var counts = inbox.counts();
                return counts.pending() == 0 && counts.running() == 0;
            }, "every stored delivery settled");
            Map<Long, Integer> effects = effects(postgres);
            System.out.printf("DatabaseOutageTest without a spool: %d delivered before, %d answered 503 and lost, %d never sent: %s%n",
                    before.delivered(), during.dropped(), during.unsent() + after.unsent(), during.summary());
            assertThat(during.attempts()).as("every request while the database was away").extracting(a -> a.status()).containsOnly(503);
            assertThat(during.dropped()).as("51 failures after a success, then Mautic 5 unpublishes").isEqualTo(51);
            assertThat(during.unpublished()).isTrue();
            assertThat(during.unsent()).isEqualTo(9);
            assertThat(after.attempts()).as("nothing is sent once the webhook is unpublished, though the database is back").isEmpty();
            assertThat(after.unsent()).isEqualTo(5);
            assertThat(effects.keySet()).as("only the deliveries before the outage took effect: the rest are lost")
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(20_001, 20_010).boxed().toList());
        } finally {
            dev.hookguard.delivery.spi.Adapters.stopInbox(endpoint, Duration.ofSeconds(5));
        }
    }

    /** A receiver in a JVM of its own ({@link SpoolingReceiverProcess}); returns once it answers, with what its spool held at start. */
    private long receiver(String url, Path spool, int port) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                SpoolingReceiverProcess.class.getName(), url, spool.toString(), Integer.toString(port)).redirectErrorStream(true).start();
        receivers.add(process);
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ready ")) {
            System.out.println("receiver> " + line);
        }
        assertThat(line).as("the receiver started").isNotNull();
        Thread echo = new Thread(() -> out.lines().forEach(l -> System.out.println("receiver> " + l)));
        echo.setDaemon(true);
        echo.start();
        return Long.parseLong(line.substring("ready ".length()));
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * The promise of the spool (issue 26): PostgreSQL stopped for 30 s under a Mautic 5 webhook, which drops whatever is
     * not answered 2xx; halfway through, the receiver is killed with {@code kill -9} and started again while the
     * database is still away. Every delivery is answered 202, the webhook stays published, and once the database is
     * back each one takes effect exactly once: the journal carried what the killed process had acknowledged.
     */
    @Test
    void withASpoolAMautic5WebhookSeesOnly2xxThroughA30SecondOutageAndAKill9AndEachDeliveryTakesEffectOnce() throws Exception {
        PGSimpleDataSource postgres = outageCluster();
        outageInbox(postgres); // the schema and the effects table, while the database is there
        Path spool = clusterDir.resolve("spool");
        int port = freePort();
        receiver(clusterUrl, spool, port);
        dev.hookguard.sender.MauticWebhook mautic5 = dev.hookguard.sender.MauticWebhook.builder(
                MauticSender.builder(java.net.URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"), SchemeFixture.SECRET).build())
                .retryPolicy(RetryPolicy.MAUTIC5).build();
        java.util.List<SendReport> reports = new java.util.ArrayList<>();
        int next = 1;
        reports.add(mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", next, 10)));
        next += 10;
        run("stop");
        long outageStarted = System.nanoTime();
        long recovered = -1;
        while (System.nanoTime() - outageStarted < Duration.ofSeconds(30).toNanos()) {
            reports.add(mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", next, 10)));
            next += 10;
            if (recovered < 0 && System.nanoTime() - outageStarted > Duration.ofSeconds(12).toNanos()) {
                Process first = receivers.get(0);
                new ProcessBuilder("kill", "-9", Long.toString(first.pid())).start().waitFor(); // no shutdown hook, no flush
                first.waitFor();
                recovered = receiver(clusterUrl, spool, port); // the database is still away
            }
            Thread.sleep(250);
        }
        run("resume");
        reports.add(mautic5.sendImmediate(SampleEvents.of("mautic.form_on_submit", next, 10)));
        next += 10;
        int sent = next - 1;
        java.util.List<Long> submissions = java.util.stream.LongStream.rangeClosed(20_001, 20_000 + sent).boxed().toList();
        await60(() -> {
            try {
                return effects(postgres).size() == sent;
            } catch (SQLException e) {
                return false;
            }
        }, "every delivery's effect, once the database is back");
        Thread.sleep(500); // a second effect, had there been one, would show by now
        Map<Long, Integer> effects = effects(postgres);
        java.util.List<dev.hookguard.sender.Attempt> attempts = reports.stream().flatMap(r -> r.attempts().stream()).toList();
        System.out.printf("DatabaseOutageTest with a spool: %d deliveries over a 30 s outage, %d of them held by the killed receiver's journal; %s%n",
                sent, recovered, attempts.stream().collect(Collectors.groupingBy(a -> a.status(), Collectors.counting())));
        assertThat(attempts).as("every request answered").hasSize(sent);
        assertThat(attempts).extracting(a -> a.status()).as("every request, during the outage too, answered 202").containsOnly(202);
        assertThat(mautic5.published()).as("the webhook was never unpublished").isTrue();
        assertThat(recovered).as("the restarted receiver found the killed one's deliveries in its journal").isPositive();
        assertThat(effects.keySet()).as("an effect for every delivery").containsExactlyInAnyOrderElementsOf(submissions);
        assertThat(effects).as("each effect exactly once").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
    }

    /**
     * A database that neither answers nor refuses (its processes frozen, as a stalled disk or a full connection queue
     * leave it): the store times out, and the delivery is spooled and answered 202 within the store timeout and the
     * connection timeout, not left hanging; once the database moves again, each delivery takes effect once.
     */
    @Test
    void aFrozenDatabaseIsATimeoutAndTheDeliveryIsSpooledNotLeftHanging() throws Exception {
        PGSimpleDataSource postgres = outageCluster();
        outageInbox(postgres);
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(clusterUrl);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2_000); // a connection is not waited for much longer than the store timeout, as the README asks
        config.setValidationTimeout(1_000);
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
        JdbcInbox inbox = JdbcInbox.builder(pool).spool(clusterDir.resolve("spool-frozen")).storeTimeout(Duration.ofSeconds(1))
                .handlerTimeout(Duration.ofSeconds(2)).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).pollInterval(Duration.ofMillis(20)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET)
                .on(FormSubmitted.class, form -> recordEffect(form.submission().id().orElseThrow())).inbox(inbox).build();
        dev.hookguard.delivery.spi.Adapters.startInbox(endpoint);
        try (JettyApp app = JettyApp.create().filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic").start()) {
            MauticSender mautic = MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).retryPolicy(RetryPolicy.MAUTIC5).build();
            SendReport before = mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 1, 5));
            run("pause");
            SendReport frozen;
            long took;
            try {
                long start = System.nanoTime();
                frozen = mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 6, 20));
                took = (System.nanoTime() - start) / 1_000_000;
                System.out.printf("DatabaseOutageTest, frozen database: 20 deliveries answered %s in %d ms%n", frozen.summary(), took);
                assertThat(inbox.spoolCounts().orElseThrow().entries()).as("held by the spool while the database is frozen").isEqualTo(20);
            } finally {
                run("unpause");
            }
            await(() -> {
                try {
                    return effects(postgres).size() == 25;
                } catch (SQLException e) {
                    return false;
                }
            }, "every delivery's effect once the database moves again");
            assertThat(before.delivered()).isEqualTo(5);
            assertThat(frozen.attempts()).extracting(a -> a.status()).as("every delivery answered 202").containsOnly(202);
            assertThat(frozen.attempts()).as("none waits much past the 1 s store timeout: the first is aborted, the rest go straight to the spool")
                    .allSatisfy(a -> assertThat(a.millis()).isLessThan(3_000));
            assertThat(effects(postgres)).as("each effect once").hasSize(25).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        } finally {
            dev.hookguard.delivery.spi.Adapters.stopInbox(endpoint, Duration.ofSeconds(5));
            pool.close();
        }
    }

    private static void await60(BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not reached within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
