package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The supervisor gives up on a row running alone whose claim, lock or commit does not answer, and gives it back under
 * whichever of its claims holds it. The row L that lost its worker runs alone; the commit of its own claim
 * ({@code claimAlone}) is sent while its backend is frozen (SIGSTOP: a stalled server). The abort only closes the
 * client's socket: the COMMIT is already in the server's receive buffer, and lands when the server comes back. The
 * give-back used to try the own claim first (finding the old version, under the lost claim) and the lost claim second
 * (waiting on the frozen transaction's lock, then finding the row under its own claim): L was left RUNNING under its
 * own {@code /alone} claim, which the rescuer counts as a crash of its own, and with {@code maxAttempts(1)} it died
 * without its handler ever running. The lost claim is now given back first: the own claim's give-back, a statement
 * later, sees what the late commit left.
 */
class AloneClaimCommitLandsLateTest {

    private static void signal(String sig, String pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, pid).inheritIO().start();
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kill -" + sig + " " + pid).isZero();
    }

    /** The backend of the first handling connection whose claimAlone commits is stopped just before the COMMIT is sent. */
    private static DataSource freezesTheClaimAloneCommit(DataSource delegate, AtomicReference<String> frozenPid, CountDownLatch frozen) {
        return HandlingConnections.faultOnce(delegate, m -> m.equals("commit") && HandlingConnections.onStack("claimAlone"), real -> {
            String pid;
            try (Statement s = real.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = String.valueOf(rs.getInt(1));
            }
            signal("STOP", pid); // the server stalls: the COMMIT below waits in its socket
            frozenPid.set(pid);
            frozen.countDown();
        });
    }

    @Test
    void aClaimAloneCommitThatLandsAfterTheAbortChargesNothing() throws Exception {
        DataSource dataSource = Database.POSTGRESQL.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1); // L: PENDING, worker_lost, attempts 0, due now
        AtomicReference<String> frozenPid = new AtomicReference<>();
        CountDownLatch frozen = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(freezesTheClaimAloneCommit(dataSource, frozenPid, frozen)).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> runs.incrementAndGet()).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            assertThat(frozen.await(15, TimeUnit.SECONDS)).as("L runs alone, and its claim's commit meets a frozen server").isTrue();
            // The supervisor's floor (10 s), its abort (a cancel waited up to 1 s), its give-back sent meanwhile.
            Thread.sleep(14_000);
            signal("CONT", frozenPid.get()); // the server answers again
            frozenPid.set(null);
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String state = HandlingConnections.row(dataSource);
            while (System.nanoTime() < until && !(state.startsWith("DONE") || state.startsWith("DEAD"))) {
                Thread.sleep(100);
                state = HandlingConnections.row(dataSource);
            }
            assertThat(state).as("L, whose own claim's commit stalled on the server (no fault of its own), is handled; handler runs "
                    + runs.get()).startsWith("DONE");
            assertThat(runs.get()).isEqualTo(1);
        } finally {
            String pid = frozenPid.get();
            if (pid != null) {
                signal("CONT", pid);
            }
            inbox.stop(Duration.ofSeconds(1));
        }
    }
}
