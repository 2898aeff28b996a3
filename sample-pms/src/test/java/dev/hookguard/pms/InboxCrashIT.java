package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Inbox mode, Mautic 5 (which never retries): the PMS is killed ({@code kill -9}) in the middle of a burst of
 * 1,000 deliveries, then started again on the same H2 file. Every delivery it acknowledged becomes exactly one issue.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class InboxCrashIT {

    private static final int DELIVERIES = 1_000;

    @Test
    void everyAcknowledgedDeliveryBecomesExactlyOneIssueAfterAKillDuringABurst() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "inbox-crash-it-" + System.nanoTime()));
        int port = PmsProcess.freePort();
        String[] args = {"--hookguard.inbox.enabled=true", "--hookguard.inbox.first-retry=200ms", "--hookguard.inbox.max-retry=1s",
                "--hookguard.inbox.handler-timeout=5s"};
        Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger answered = new AtomicInteger();
        PmsProcess first = new PmsProcess(port, dir.resolve("first.log"), args).in(dir).start();
        MauticSender sender = MauticSender.builder(first.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).retryPolicy(RetryPolicy.MAUTIC5)
                .requestTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(1)).build();
        Thread burst = new Thread(() -> {
            for (int seq = 0; seq < DELIVERIES; seq++) {
                Attempt attempt = sender.sendImmediate(SampleEvents.of("mautic.form_on_submit", 30_000 + seq, 1)).attempts().get(0);
                answered.incrementAndGet();
                if (attempt.status() >= 200 && attempt.status() < 300) {
                    acknowledged.add(20_000L + 30_000 + seq);
                }
            }
        });
        burst.start();
        while (answered.get() < DELIVERIES / 3 && burst.isAlive()) {
            Thread.sleep(5);
        }
        first.kill();
        burst.join();
        assertThat(acknowledged.size()).as("some were acknowledged before the kill, and not all").isBetween(DELIVERIES / 4, DELIVERIES - 1);

        try (PmsProcess second = new PmsProcess(port, dir.resolve("second.log"), args).in(dir).start()) {
            HttpClient client = HttpClient.newHttpClient();
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long issues = -1;
            long previous = -2;
            // Until every acknowledged delivery is an issue and the count has stopped moving (stored but unanswered ones too).
            while (System.nanoTime() < until && (issues < acknowledged.size() || issues != previous)) {
                previous = issues;
                Thread.sleep(500);
                String body = client.send(second.get("/api/issues?size=1"), HttpResponse.BodyHandlers.ofString()).body();
                issues = Long.parseLong(body.replaceAll("(?s).*\"totalElements\":(\\d+).*", "$1"));
            }
        }
        // The PMS has stopped: read its H2 file directly.
        String url = "jdbc:h2:retry:" + dir.toAbsolutePath().resolve(".hookguard/sample-pms/hookguard-pms");
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement()) {
            Set<Long> withIssue = new HashSet<>();
            try (ResultSet rs = s.executeQuery("select external_key, count(*) from issue group by external_key")) {
                while (rs.next()) {
                    assertThat(rs.getLong(2)).as("issues for " + rs.getString(1)).isEqualTo(1);
                    withIssue.add(Long.parseLong(rs.getString(1).substring(rs.getString(1).lastIndexOf(':') + 1)));
                }
            }
            assertThat(withIssue).containsAll(acknowledged);
            System.out.printf("InboxCrashIT: %d of %d deliveries acknowledged before the kill, %d issues after the restart%n",
                    acknowledged.size(), DELIVERIES, withIssue.size());
            try (ResultSet rs = s.executeQuery("select count(*) from hookguard_inbox where state <> 'DONE'")) {
                rs.next();
                assertThat(rs.getLong(1)).as("inbox rows not done").isZero();
            }
        }
    }
}
