package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The inbox on real databases: an H2 file and the PostgreSQL that {@code .ci/run} starts. */
class JdbcInboxTest {

    static final String SECRET = InboxWorkerProcess.SECRET;

    enum Database {
        H2_FILE, POSTGRESQL;

        DataSource dataSource() throws Exception {
            if (this == POSTGRESQL) {
                return TestPostgres.dataSource(TestPostgres.newDatabase());
            }
            Path dir = Files.createDirectories(Path.of("target", "inbox-" + System.nanoTime()));
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:retry:" + dir.toAbsolutePath().resolve("inbox"));
            h2.setUser("sa");
            return h2;
        }
    }

    private final List<JdbcInbox> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorkers() {
        started.forEach(inbox -> inbox.stop(Duration.ofSeconds(2)));
    }

    private JdbcInbox inbox(DataSource dataSource, int maxAttempts) {
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(maxAttempts).backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(30)).build();
        inbox.initializeSchema();
        started.add(inbox);
        return inbox;
    }

    static Delivery mautic(byte[] body) {
        return new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body),
                "Content-Type", "application/json"), body, "192.0.2.5");
    }

    static byte[] forms(int firstSeq, int count) {
        return MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", firstSeq, count));
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not reached within 20 s");
            }
            Thread.sleep(20);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aStoredDeliveryIsAnswered202AtOnceAndHandledOnceInTheBackground(Database database) throws Exception {
        JdbcInbox inbox = inbox(database.dataSource(), 5);
        Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET)
                .on(FormSubmitted.class, form -> handled.computeIfAbsent(form.submission().id().orElseThrow(), k -> new AtomicInteger()).incrementAndGet())
                .inbox(inbox).build();
        byte[] body = forms(1, 3);
        Outcome first = endpoint.process(mautic(body));
        assertThat(first.status()).isEqualTo(202);
        assertThat(handled).as("nothing handled in the request").isEmpty();
        assertThat(inbox.counts().pending()).isEqualTo(3);
        assertThat(endpoint.process(mautic(body)).status()).as("a duplicate adds no row").isEqualTo(200);
        assertThat(inbox.counts().pending()).isEqualTo(3);

        inbox.start(endpoint);
        await(() -> inbox.counts().done() == 3);
        assertThat(handled).hasSize(3).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        assertThat(endpoint.process(mautic(body)).status()).as("done parts stay duplicates").isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void startsAddUpAndWorkersClaimOnlyTheSchemesTheyWereStartedFor(Database database) throws Exception {
        JdbcInbox inbox = inbox(database.dataSource(), 5);
        AtomicInteger mauticHandled = new AtomicInteger();
        AtomicInteger malcolmHandled = new AtomicInteger();
        WebhookEndpoint<MauticBatch> mauticEndpoint = WebhookEndpoint.mautic().secrets(SECRET)
                .on(FormSubmitted.class, form -> mauticHandled.incrementAndGet()).inbox(inbox).build();
        WebhookEndpoint<WorkflowSession> malcolmEndpoint = WebhookEndpoint.malcolm().secrets(SECRET)
                .on(WorkflowSession.class, session -> malcolmHandled.incrementAndGet()).inbox(inbox).build();
        byte[] session = MalcolmSender.body(SampleEvents.malcolmSession(8, true));
        assertThat(malcolmEndpoint.process(new Delivery("POST", Headers.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, session),
                "X-Instance-Id", "inboxtest1"), session, "192.0.2.6")).status()).isEqualTo(202);
        assertThat(mauticEndpoint.process(mautic(forms(40, 2))).status()).isEqualTo(202);

        Adapters.startInbox(mauticEndpoint);
        await(() -> inbox.counts().done() == 2);
        Thread.sleep(200);
        assertThat(malcolmHandled.get()).as("an instance started for Mautic leaves Malcolm! rows alone").isZero();
        assertThat(inbox.counts().pending()).isEqualTo(1);

        Adapters.startInbox(malcolmEndpoint);
        Adapters.startInbox(mauticEndpoint);
        await(() -> inbox.counts().done() == 3);
        assertThat(malcolmHandled.get()).isEqualTo(1);
        assertThat(mauticHandled.get()).isEqualTo(2);
        WebhookEndpoint<MauticBatch> another = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> { }).inbox(inbox).build();
        assertThatThrownBy(() -> Adapters.startInbox(another)).isInstanceOf(IllegalStateException.class).hasMessageContaining("two endpoints for mautic");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aHandlerFailingItsFirstThreeAttemptsEndsDoneAndTheSenderNeverSawIt(Database database) throws Exception {
        JdbcInbox inbox = inbox(database.dataSource(), 5);
        AtomicInteger calls = new AtomicInteger();
        List<String> instances = new CopyOnWriteArrayList<>();
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).on(WorkflowSession.class, session -> {
            instances.add(session.instanceId().orElse(""));
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("flaky downstream with a private detail");
            }
        }).inbox(inbox).build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(7, true));
        Delivery delivery = new Delivery("POST", Headers.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body),
                "X-Instance-Id", "inboxtest1"), body, "192.0.2.6");
        assertThat(endpoint.process(delivery).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(() -> inbox.counts().done() == 1);
        InboxEntry entry = inbox.list(JdbcInbox.State.DONE, 10).get(0);
        assertThat(entry.attempts()).isEqualTo(4);
        assertThat(calls.get()).isEqualTo(4);
        assertThat(instances).as("the kept X-Instance-Id reaches the handler").containsOnly("inboxtest1");
        assertThat(entry.failure()).as("a done row keeps no failure").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aHandlerAlwaysFailingEndsDeadAfterItsAttemptsWithBackoffAndAReplayEndsDone(Database database) throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        JdbcInbox inbox = JdbcInbox.builder(database.dataSource()).maxAttempts(3).backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .pollInterval(Duration.ofMillis(20)).listener(new InboxListener() {
                    @Override
                    public void handled(SignatureScheme scheme) {
                        told.add("handled " + scheme.id());
                    }

                    @Override
                    public void retried(SignatureScheme scheme) {
                        told.add("retried " + scheme.id());
                    }

                    @Override
                    public void deadLettered(SignatureScheme scheme) {
                        told.add("dead " + scheme.id());
                    }
                }).build();
        inbox.initializeSchema();
        started.add(inbox);
        List<Long> attemptsAt = new CopyOnWriteArrayList<>();
        AtomicInteger mode = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            attemptsAt.add(System.nanoTime());
            if (mode.get() == 0) {
                throw new IllegalArgumentException("always broken");
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(mautic(forms(20, 1))).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(() -> inbox.counts().dead() == 1);
        InboxEntry dead = inbox.list(JdbcInbox.State.DEAD, 10).get(0);
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.failure()).hasValue(new InboxEntry.Failure("java.lang.IllegalArgumentException", java.util.Optional.of("always broken")));
        assertThat(attemptsAt).hasSize(3);
        // 50 ms then 100 ms, each less up to half as jitter: the gaps grow, and none is shorter than 25 ms.
        assertThat(Duration.ofNanos(attemptsAt.get(1) - attemptsAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(25));
        assertThat(Duration.ofNanos(attemptsAt.get(2) - attemptsAt.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        await(() -> told.size() == 3);
        assertThat(told).containsExactly("retried mautic", "retried mautic", "dead mautic");

        mode.set(1);
        assertThat(inbox.replay(dead.key())).isTrue();
        await(() -> inbox.counts().done() == 1);
        await(() -> told.size() == 4);
        assertThat(told).last().isEqualTo("handled mautic");
        assertThat(inbox.counts().dead()).isZero();
        assertThat(inbox.purgeDone(Duration.ZERO.minusSeconds(1))).isEqualTo(1);
        assertThat(inbox.counts().done()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseWorkerDiedAfterItsClaimIsTakenByAnotherWithinSecondsAndRunsAlone(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox killed = JdbcInbox.builder(dataSource).build();
        killed.initializeSchema();
        AtomicInteger handled = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> handled.incrementAndGet())
                .inbox(killed).build();
        assertThat(endpoint.process(mautic(forms(30, 1))).status()).isEqualTo(202);
        // This instance claims the row and is never heard of again: no transaction of it locks the row.
        assertThat(killed.claim(1, java.util.Set.of(SignatureScheme.MAUTIC))).hasSize(1);
        long claimedAt = System.nanoTime();
        JdbcInbox survivor = JdbcInbox.builder(dataSource).pollInterval(Duration.ofMillis(20)).build();
        started.add(survivor);
        survivor.start(endpoint);
        await(() -> survivor.counts().done() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - claimedAt)).as("taken again within seconds, not after a lease")
                .isLessThan(Duration.ofSeconds(9));
        assertThat(handled.get()).isEqualTo(1);
        InboxEntry done = survivor.list(JdbcInbox.State.DONE, 1).get(0);
        // A claim's rows are not charged for its lost worker (which of an instance's rows killed it is unknown); the
        // row then ran alone in its instance, where a crash would have been its own, and counted.
        assertThat(done.attempts()).as("the lost claim given back; the run alone counted").isEqualTo(1);
        assertThat(Lease.run(done.leaseOwner().orElseThrow())).isEqualTo(Lease.Run.ALONE);
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aStopGivesBackWhatDidNotFinishWithoutCountingTheAttempt(Database database) throws Exception {
        JdbcInbox inbox = inbox(database.dataSource(), 5);
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> Thread.sleep(2_000))
                .inbox(inbox).build();
        assertThat(endpoint.process(mautic(forms(40, 1))).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(() -> inbox.counts().running() == 1);
        inbox.stop(Duration.ofMillis(100));
        started.remove(inbox);
        assertThat(inbox.counts().pending()).isEqualTo(1);
        assertThat(inbox.list(JdbcInbox.State.PENDING, 1).get(0).attempts()).isZero();
    }

    @Test
    void whenTheDatabaseFailsTheDeliveryIsAnswered503AndNothingIsAcknowledged() throws Exception {
        DataSource real = Database.H2_FILE.dataSource();
        JdbcInbox inbox = inbox(real, 5);
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, f -> { })
                .inbox(delivery -> {
                    throw new SQLException("connection refused", "08001");
                }).build();
        Outcome outcome = endpoint.process(mautic(forms(50, 1)));
        assertThat(outcome.status()).isEqualTo(503);
        assertThat(outcome.headers()).containsKey("Retry-After");
        assertThat(new String(outcome.body())).contains("inbox_unavailable").doesNotContain("connection refused");
        assertThat(inbox.counts().pending()).isZero();
    }

    @Test
    void anInMemoryH2IsRefusedForACrashWouldLoseWhatWasAcknowledged() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:inbox-volatile;DB_CLOSE_DELAY=-1");
        assertThatThrownBy(() -> JdbcInbox.builder(h2).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("in-memory");
        assertThat(JdbcInbox.builder(h2).allowVolatileDatabase().build()).isNotNull();
    }

    @Test
    void anEndpointWithAnInboxNeedsHandlers() throws Exception {
        JdbcInbox inbox = inbox(Database.H2_FILE.dataSource(), 5);
        assertThatThrownBy(() -> WebhookEndpoint.mautic().secrets(SECRET).inbox(inbox).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs handlers");
    }

    private static void createEffects(DataSource dataSource) throws SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("create table effects (delivery_key varchar(255) not null, note varchar(50) not null)");
        }
    }

    private static long effects(DataSource dataSource) throws SQLException {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select count(*) from effects")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void writeEffect(String key, String note) throws SQLException {
        java.sql.Connection c = JdbcInbox.currentTransaction().orElseThrow();
        try (java.sql.PreparedStatement ps = c.prepareStatement("insert into effects (delivery_key, note) values (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, note);
            ps.executeUpdate();
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void writesThroughTheInboxTransactionCommitWithDoneSoAFailedAttemptLeavesNoEffect(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        createEffects(dataSource);
        JdbcInbox inbox = inbox(dataSource, 5);
        AtomicInteger calls = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).on(FormSubmitted.class, form -> {
            writeEffect(form.idempotencyKey(), "attempt " + calls.incrementAndGet());
            if (calls.get() <= 2) {
                throw new IllegalStateException("fails after writing");
            }
        }).inbox(inbox).build();
        assertThat(JdbcInbox.currentTransaction()).as("outside a worker").isEmpty();
        assertThat(endpoint.process(mautic(forms(60, 1))).status()).isEqualTo(202);
        inbox.start(endpoint);
        await(() -> inbox.counts().done() == 1);
        assertThat(calls.get()).isEqualTo(3);
        assertThat(effects(dataSource)).as("only the attempt that ended done left its row").isEqualTo(1);
    }
}
