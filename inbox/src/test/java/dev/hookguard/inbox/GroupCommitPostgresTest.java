package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Accept on PostgreSQL with group commit: what shares a commit, and what each request is answered. */
class GroupCommitPostgresTest {

    private DataSource dataSource;
    private JdbcInbox inbox;

    @BeforeEach
    void start() {
        dataSource = TestPostgres.dataSource(TestPostgres.newDatabase());
        inbox = JdbcInbox.builder(dataSource).build();
        inbox.initializeSchema();
    }

    @AfterEach
    void stop() {
        inbox.close();
    }

    private static InboxDelivery malcolm(String key, String tenant) {
        return new InboxDelivery(SignatureScheme.MALCOLM, tenant, List.of(new InboxDelivery.Part(key, "session",
                ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8))), new byte[0], Headers.of(Map.of("User-Agent", "Malcolm")));
    }

    /** Write transactions so far: the next transaction id, which only a transaction that writes takes (reading it takes none). */
    private long transactionsThatWroteRows() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(distinct xmin::text) from hookguard_inbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String state(String key) throws SQLException {
        try (Connection c = dataSource.getConnection(); var ps = c.prepareStatement("select state from hookguard_inbox where delivery_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void concurrentStoresShareCommitsAndEachKeyIsStoredOnceAndCountedOnce() throws Exception {
        int threads = 16;
        int perThread = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                answers.add(pool.submit(() -> {
                    int newParts = 0;
                    for (int i = 0; i < perThread; i++) {
                        // every key is sent by two threads: one of them stores it, the other is its duplicate
                        newParts += inbox.store(malcolm("k" + ((thread / 2) * perThread + i), ""));
                    }
                    return newParts;
                }));
            }
            int total = 0;
            for (Future<Integer> answer : answers) {
                total += answer.get(60, TimeUnit.SECONDS);
            }
            int distinct = threads / 2 * perThread;
            assertThat(total).as("each key counted new for exactly one of its two requests").isEqualTo(distinct);
            assertThat(inbox.counts().pending()).isEqualTo(distinct);
        } finally {
            pool.shutdownNow();
        }
        long used = transactionsThatWroteRows();
        // One transaction per stored key without sharing (a duplicate skipped by ON CONFLICT writes nothing): 480, and
        // 499 measured; 231 and 248 with four commits in flight for sixteen threads (152 with one).
        assertThat(used).as("write transactions for %d stores of %d keys", threads * perThread, threads / 2 * perThread)
                .isLessThan(threads / 2 * perThread * 3 / 4);
    }

    @Test
    void aDuplicateWithinOneCommitIsItsOwnRequestsZeroNeverTheCommitsFailure() {
        List<GroupCommit.Outcome> outcomes = inbox.commitTogether(List.of(malcolm("same", ""), malcolm("same", ""), malcolm("other", "")));

        assertThat(outcomes).extracting(GroupCommit.Outcome::stored).containsExactly(1, 0, 1);
        assertThat(outcomes).extracting(GroupCommit.Outcome::failure).containsOnlyNulls();
    }

    @Test
    void keysLongerThanTheColumnShareACommitAndStayDistinct() throws Exception {
        String longKey = "k".repeat(300);
        String otherLongKey = "k".repeat(299) + "j";

        List<GroupCommit.Outcome> outcomes = inbox.commitTogether(List.of(malcolm(longKey, ""), malcolm(otherLongKey, ""), malcolm(longKey, "")));

        assertThat(outcomes).extracting(GroupCommit.Outcome::stored).containsExactly(1, 1, 0);
        assertThat(SpoolFixtures.rows(dataSource, longKey)).as("the whole key kept beside the column's digest").isEqualTo(1);
        assertThat(SpoolFixtures.rows(dataSource, otherLongKey)).isEqualTo(1);
        assertThat(inbox.store(malcolm(longKey, ""))).as("a later redelivery alone is a duplicate").isZero();
    }

    @Test
    void aRedeliveryOfADeadPartInASharedCommitRevivesIt() throws Exception {
        assertThat(inbox.store(malcolm("died", ""))).isEqualTo(1);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set state = 'DEAD', attempts = 5, last_error = 'boom' where delivery_key = 'died'");
        }
        assertThat(inbox.store(malcolm("kept", ""))).isEqualTo(1);

        List<GroupCommit.Outcome> outcomes = inbox.commitTogether(List.of(malcolm("died", ""), malcolm("kept", ""), malcolm("new", "")));

        assertThat(outcomes).extracting(GroupCommit.Outcome::stored).containsExactly(1, 0, 1);
        assertThat(state("died")).isEqualTo("PENDING");
        assertThat(state("kept")).isEqualTo("PENDING");
    }

    @Test
    void badDataFailsOnlyItsOwnDeliveryAndTheOthersAreStored() throws Exception {
        String tooLong = "t".repeat(65); // the tenant column holds 64

        List<GroupCommit.Outcome> outcomes = inbox.commitTogether(List.of(malcolm("a", ""), malcolm("b", tooLong), malcolm("c", "")));

        assertThat((Object) outcomes.get(0)).isEqualTo(GroupCommit.Outcome.stored(1));
        assertThat((Object) outcomes.get(2)).isEqualTo(GroupCommit.Outcome.stored(1));
        assertThat((Throwable) outcomes.get(1).failure()).isNotNull();
        assertThat(outcomes.get(1).failure().getSQLState()).startsWith("22");
        assertThat(state("a")).isEqualTo("PENDING");
        assertThat(state("b")).isNull();
        assertThat(state("c")).isEqualTo("PENDING");
    }

    @Test
    void aDatabaseThatGoesAwayDuringTheOneByOneRetryFailsTheRestAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger connectionsLeft = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        DataSource goingAway = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        asked.incrementAndGet();
                        if (connectionsLeft.getAndDecrement() <= 0) {
                            throw new java.sql.SQLTransientConnectionException("connection refused", "08001");
                        }
                    }
                    try {
                        return method.invoke(dataSource, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        JdbcInbox away = JdbcInbox.builder(goingAway).build();
        away.initializeSchema();
        asked.set(0);
        connectionsLeft.set(2); // the batch statement (it fails for bad data) and the bad one alone; then the database is gone
        List<InboxDelivery> batch = new ArrayList<>();
        batch.add(malcolm("bad", "t".repeat(65)));
        for (int i = 0; i < 50; i++) {
            batch.add(malcolm("k" + i, ""));
        }

        List<GroupCommit.Outcome> outcomes = away.commitTogether(batch);

        assertThat(outcomes).hasSize(51);
        assertThat(outcomes.get(0).failure().getSQLState()).startsWith("22");
        assertThat(outcomes.subList(1, 51)).allSatisfy(o -> assertThat(o.failure().getSQLState()).isEqualTo("08001"));
        assertThat(asked.get()).as("the batch, the bad one alone, then one try that found the database away: not 50").isEqualTo(3);
    }

    @Test
    void aBatchThatDeadlocksWithAnotherInstanceIsRetriedOneByOneAndEachGetsItsAnswer() throws Exception {
        try (Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            String insert = "insert into hookguard_inbox (delivery_key, part_key, event_type, scheme, tenant, body, headers, state, attempts,"
                    + " next_attempt_at, received_at) values (?, ?, 'session', 'malcolm', '', ?, '', 'PENDING', 0, 0, 0) on conflict do nothing";
            try (var ps = other.prepareStatement(insert)) {
                ps.setString(1, "x");
                ps.setString(2, "x");
                ps.setBytes(3, new byte[] {'{', '}'});
                ps.executeUpdate(); // the other instance holds x, uncommitted
            }
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                // This batch inserts y, then waits for x.
                Future<List<GroupCommit.Outcome>> batch = thread.submit(() -> inbox.commitTogether(List.of(malcolm("y", ""), malcolm("x", ""))));
                SpoolFixtures.await(this::waitingForALock, "the batch waits for the other's x");
                try (var ps = other.prepareStatement(insert)) {
                    ps.setString(1, "y");
                    ps.setString(2, "y");
                    ps.setBytes(3, new byte[] {'{', '}'});
                    ps.executeUpdate(); // and the other now waits for y: a deadlock, which PostgreSQL breaks in a second
                }
                other.commit();

                List<GroupCommit.Outcome> outcomes = batch.get(30, TimeUnit.SECONDS);

                assertThat(outcomes).as("retried one by one after the deadlock: neither request is a failure")
                        .allSatisfy(o -> assertThat((Throwable) o.failure()).isNull());
                assertThat(outcomes.get(1).stored()).as("x is the other instance's: a duplicate").isZero();
            } finally {
                thread.shutdownNow();
            }
        }
        assertThat(state("x")).isEqualTo("PENDING");
        assertThat(state("y")).isEqualTo("PENDING");
    }

    private boolean waitingForALock() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()")) {
            rs.next();
            return rs.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBatchOfThousandsOfEventsIsStoredWholeInOneStatementAndOnlyOnce() throws Exception {
        String[] keys = new String[5_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "mautic:" + i;
        }
        long started = System.nanoTime();
        assertThat(inbox.store(SpoolFixtures.delivery(keys))).isEqualTo(5_000);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("a delivery of 5,000 parts stored in " + tookMillis + " ms");

        // Each row's xmin is the transaction that wrote it (a count of the cluster's transaction ids also counted
        // whatever else ran on the server meanwhile: once, 2 instead of 1).
        assertThat(transactionsThatWroteRows()).as("one transaction for 5,000 parts").isEqualTo(1);
        assertThat(inbox.counts().pending()).isEqualTo(5_000);
        assertThat(inbox.store(SpoolFixtures.delivery(keys))).as("its redelivery is a duplicate").isZero();
        Set<String> some = new HashSet<>(List.of(keys[0], keys[4_999]));
        for (String key : some) {
            assertThat(SpoolFixtures.rows(dataSource, key)).isEqualTo(1);
        }
    }
}
