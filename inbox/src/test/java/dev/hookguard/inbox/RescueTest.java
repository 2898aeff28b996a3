package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SignatureScheme;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whether the rescuer counts a lost attempt, once the worker of a claim is gone: rows of a batch get it back (a
 * process that dies takes every row its workers had in hand, and which of them killed it is unknown), a row that ran
 * alone in its instance keeps it. Found by attack reviews: the rescuer first judged "alone" by how many rows of a
 * claim one pass found, so a pass that saw part of a claim (more orphans than its limit, or two instances' rescuers
 * splitting one) charged innocent rows; then by the claim's own size, so a claim of one beside another worker's
 * batch was charged for the crash the other's row caused.
 */
class RescueTest {

    private static final Set<SignatureScheme> MAUTIC = Set.of(SignatureScheme.MAUTIC);

    private static JdbcInbox storedFour(DataSource dataSource, int maxAttempts) throws Exception {
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(maxAttempts).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 4))).status()).isEqualTo(202);
        return inbox;
    }

    /** The claims' worker died long ago: past the grace that keeps a row its claimer is about to lock. */
    private static void ageClaims(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set claimed_at = claimed_at - 60000 where state = 'RUNNING'");
        }
    }

    /**
     * One Mautic form (sequence {@code seq}) stored, its first claim's worker lost and rescued: {@code
     * PENDING/0/worker_lost}, as a crash leaves it. Returns an inbox on it, not started.
     */
    static JdbcInbox storedOneThatLostItsWorker(DataSource dataSource, int maxAttempts, int seq) throws Exception {
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(maxAttempts).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(seq, 1))).status()).isEqualTo(202);
        assertThat(inbox.claim(1, MAUTIC)).hasSize(1);
        ageClaims(dataSource);
        assertThat(inbox.rescue(10, MAUTIC).count()).isEqualTo(1);
        return inbox;
    }

    /** The four rows' first claim lost its worker and was rescued: the claim that takes them again. */
    private static List<Lease> claimedAgainAfterALostWorker(DataSource dataSource, JdbcInbox inbox) throws SQLException {
        inbox.claim(4, MAUTIC);
        ageClaims(dataSource);
        inbox.rescue(4, MAUTIC);
        List<Lease> again = inbox.claim(4, MAUTIC);
        assertThat(again).hasSize(4).allMatch(Lease::lostItsWorker);
        return again;
    }

    /** Each row as {@code state/attempts/error_class}, by part key. */
    private static TreeMap<String, String> rows(DataSource dataSource) throws SQLException {
        TreeMap<String, String> rows = new TreeMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select part_key, state, attempts, error_class from hookguard_inbox")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2) + "/" + rs.getInt(3) + "/" + rs.getString(4));
            }
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aClaimOfFourThatTheRescuerFindsOneRowAPassAtATimeGetsEveryAttemptBack(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = storedFour(dataSource, 1);
        assertThat(inbox.claim(4, MAUTIC)).hasSize(4);
        ageClaims(dataSource);

        for (int pass = 0; pass < 4; pass++) {
            assertThat(inbox.rescue(1, MAUTIC).count()).isEqualTo(1);
        }

        // With maxAttempts(1), a row charged for its neighbours' crash would be dead without its handler ever running.
        assertThat(rows(dataSource).values()).as("rows: " + rows(dataSource)).containsOnly("PENDING/0/worker_lost");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowThatLostItsWorkerIsTakenAloneAndChargedWhenItsWorkerIsLostAgain(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = storedFour(dataSource, 2);
        List<Lease> again = claimedAgainAfterALostWorker(dataSource, inbox);
        inbox.giveBack(again.subList(1, 4));
        Lease alone;
        try (Connection handling = inbox.openHandling()) {
            alone = inbox.ownClaim(again.get(0), true);
            assertThat(inbox.claimAlone(handling, again.get(0), alone)).isTrue();
            handling.rollback();
        }
        try (Connection handling = inbox.openHandling()) {
            assertThat(inbox.lock(handling, List.of(again.get(0)))).as("the old lease no longer holds the row").isEmpty();
            handling.rollback();
        }
        ageClaims(dataSource); // its worker dies too, with only this row in hand
        assertThat(inbox.rescue(4, MAUTIC).count()).isEqualTo(1);

        TreeMap<String, String> rows = rows(dataSource);
        String suspect = inbox.show(alone.key()).orElseThrow().partKey();
        assertThat(rows.remove(suspect)).as("the row handled alone keeps its lost attempt").isEqualTo("PENDING/1/worker_lost");
        assertThat(rows.values()).as("the rest were given back uncounted").containsOnly("PENDING/0/worker_lost");
    }

    /** Two workers of one instance each hold a claim of one when the instance dies: neither is charged. */
    @ParameterizedTest
    @EnumSource(Database.class)
    void claimsOfOneOfTwoWorkersOfADeadInstanceAreBothGivenTheirAttemptBack(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = storedFour(dataSource, 1);
        assertThat(inbox.claim(1, MAUTIC)).hasSize(1); // one worker: the part that kills the process
        assertThat(inbox.claim(1, MAUTIC)).hasSize(1); // the other: an innocent part, its handler mid-way
        ageClaims(dataSource);

        assertThat(inbox.rescue(10, MAUTIC).count()).isEqualTo(2);

        assertThat(inbox.counts().dead()).as("rows: " + rows(dataSource)).isZero();
        assertThat(rows(dataSource).values()).containsOnly("PENDING/0/worker_lost", "PENDING/0/null");
    }

    /**
     * A row waiting for the batches in flight to end, to run alone, keeps its claim fresh (holding no connection): the
     * rescuer leaves it. If it is taken anyway (a wait longer than the grace between two refreshes), it was a batch's
     * row, given back uncounted, and the waiting worker learns it.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWaitingToRunAloneKeepsItsClaimFromTheRescuerAndIfTakenAnywayIsNotCharged(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = storedFour(dataSource, 2);
        List<Lease> again = claimedAgainAfterALostWorker(dataSource, inbox);
        ageClaims(dataSource); // every row's wait has outlasted the rescue's grace

        assertThat(inbox.keepClaim(again.get(0))).isTrue();
        assertThat(inbox.rescue(10, MAUTIC).count()).as("the three others, not the one kept").isEqualTo(3);
        assertThat(inbox.show(again.get(0).key()).orElseThrow().state()).isEqualTo(JdbcInbox.State.RUNNING);

        ageClaims(dataSource);
        assertThat(inbox.rescue(10, MAUTIC).count()).isEqualTo(1);
        assertThat(inbox.keepClaim(again.get(0))).as("taken: the worker gives up its wait").isFalse();
        assertThat(rows(dataSource).values()).containsOnly("PENDING/0/worker_lost");
    }
}
