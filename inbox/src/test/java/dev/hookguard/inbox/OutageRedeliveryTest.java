package dev.hookguard.inbox;

import static dev.hookguard.inbox.SpoolFixtures.await;
import static dev.hookguard.inbox.SpoolFixtures.directory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.SwitchableDataSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 202 given while the database is away (through the spool) means what it means with the database there. Found by
 * an attack review: a redelivery of a dead delivery was answered 202 and never handled, and a session id holding a NUL
 * character (the sender's own JSON string) was answered 202 and never stored on PostgreSQL, whose text refuses one.
 */
class OutageRedeliveryTest {

    private static final String SECRET = JdbcInboxTest.SECRET;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private JdbcInbox inbox(SwitchableDataSource db, int maxAttempts) throws Exception {
        JdbcInbox inbox = JdbcInbox.builder(db).spool(directory("outage-redelivery")).maxAttempts(maxAttempts)
                .pollInterval(Duration.ofMillis(20)).backoff(Duration.ofMillis(20), Duration.ofMillis(50)).build();
        open.add(inbox);
        open.add(() -> inbox.stop(Duration.ofSeconds(2)));
        inbox.initializeSchema();
        return inbox;
    }

    /** A signed Malcolm! session of this id. */
    static Delivery session(String id) {
        // The id goes on the wire as JSON escapes, as a sender's encoder writes a NUL or an unpaired surrogate.
        StringBuilder escaped = new StringBuilder();
        id.chars().forEach(c -> escaped.append(c < 0x20 || Character.isSurrogate((char) c) ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        byte[] body = new String(MalcolmSender.body(SampleEvents.malcolmSession(1, true).put("id", "ID-PLACEHOLDER")), StandardCharsets.UTF_8)
                .replace("ID-PLACEHOLDER", escaped).getBytes(StandardCharsets.UTF_8);
        return new Delivery("POST", Headers.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body),
                "X-Instance-Id", "instance01"), body, "192.0.2.7");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aDeadDeliveryRedeliveredWhileTheDatabaseIsAwayIsHandledOnceItReturns(Database database) throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(database.dataSource());
        JdbcInbox inbox = inbox(db, 1);
        AtomicBoolean broken = new AtomicBoolean(true);
        List<String> handled = new CopyOnWriteArrayList<>();
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).onAny(session -> {
            if (broken.get()) {
                throw new IllegalStateException("down");
            }
            handled.add(session.id());
        }).inbox(inbox).build();
        inbox.start(endpoint);
        assertThat(endpoint.process(session("ws-victim")).status()).isEqualTo(202);
        await(() -> inbox.counts().dead() == 1, "dead");
        broken.set(false);

        db.away.set(true);
        assertThat(endpoint.process(session("ws-victim")).status()).as("the redelivery, spooled").isEqualTo(202);
        db.away.set(false);
        assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(10))).isTrue();
        await(() -> handled.size() == 1, "the redelivery handled");
        await(() -> inbox.counts().done() == 1, "done");
        assertThat(handled).containsExactly("ws-victim");
        assertThat(endpoint.process(session("ws-victim")).status()).as("handled: now a duplicate").isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aSessionIdNoColumnHoldsAsItIsIsStoredAndHandledOnceThroughTheDatabaseAndThroughTheSpool(Database database) throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(database.dataSource());
        JdbcInbox inbox = inbox(db, 3);
        List<String> handled = new CopyOnWriteArrayList<>();
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).onAny(session -> handled.add(session.id()))
                .inbox(inbox).build();
        String online = "ws-nul\u0000online";
        String spooled = "ws-nul\u0000spooled";
        String surrogate = "ws-\uD800"; // an unpaired surrogate: UTF-8 would write "?", as for the next one
        String otherSurrogate = "ws-\uD801";
        assertThat(endpoint.process(session(online)).status()).isEqualTo(202);
        db.away.set(true);
        assertThat(endpoint.process(session(spooled)).status()).isEqualTo(202);
        assertThat(endpoint.process(session(surrogate)).status()).isEqualTo(202);
        assertThat(endpoint.process(session(otherSurrogate)).status()).as("a different id, not a duplicate").isEqualTo(202);
        db.away.set(false);
        assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(10))).isTrue();
        inbox.start(endpoint);
        await(() -> inbox.counts().done() == 4, "all four handled; dead " + inbox.counts().dead());
        assertThat(handled).containsExactlyInAnyOrder(online, spooled, surrogate, otherSurrogate);
        try (var files = java.nio.file.Files.list(inbox.spool().directory())) {
            assertThat(files.map(f -> f.getFileName().toString())).as("nothing set aside").noneMatch(name -> name.startsWith("rejected"));
        }
        for (String id : List.of(online, spooled, surrogate, otherSurrogate)) {
            assertThat(endpoint.process(session(id)).status()).as("a redelivery is a duplicate").isEqualTo(200);
        }
    }

}
