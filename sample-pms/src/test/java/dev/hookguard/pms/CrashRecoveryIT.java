package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PMS is killed ({@code kill -9}) in the middle of a queue-mode run of the retrying sender, and started again
 * on the same H2 file: when the run ends, every event is an issue exactly once.
 */
class CrashRecoveryIT {

    @Test
    void killedInTheMiddleOfAQueueRunEveryEventBecomesAnIssueExactlyOnce() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "crash-it-" + System.nanoTime()));
        int port = PmsProcess.freePort();
        Path log = dir.resolve("pms.log");
        // The default database: H2 in the default data directory under the user's home (here the test's folder).
        String[] args = {"--pms.idempotency.in-flight-ttl=3s"};
        int events = 300;
        JsonMapper json = JsonMapper.shared();

        PmsProcess first = new PmsProcess(port, log, args).in(dir).start();
        CountDownLatch someDelivered = new CountDownLatch(8);
        AtomicInteger failures = new AtomicInteger();
        MauticSender sender = MauticSender.builder(first.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET)
                .retryPolicy(RetryPolicy.RETRYING).maxRuns(200).retryDelay(Duration.ofMillis(250))
                .requestTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(1))
                .onAttempt(a -> {
                    if (a.outcome() == Attempt.Outcome.DELIVERED) {
                        someDelivered.countDown();
                    } else {
                        failures.incrementAndGet();
                    }
                })
                .build();
        CompletableFuture<SendReport> run = CompletableFuture.supplyAsync(
                () -> sender.sendQueued(SampleEvents.of("mautic.form_on_submit", 1, events)));

        assertThat(someDelivered.await(60, TimeUnit.SECONDS)).isTrue();
        first.kill();
        PmsProcess second = new PmsProcess(port, log, args).in(dir);
        try {
            second.start();
            SendReport report = run.get(180, TimeUnit.SECONDS);
            assertThat(report.allDelivered()).as(report.summary()).isTrue();
            assertThat(failures.get()).as("the crash was felt by the sender").isPositive();

            Set<String> keys = new HashSet<>();
            long total = -1;
            for (int page = 0; total < 0 || (long) page * 200 < total; page++) {
                JsonNode issues = json.readTree(HttpClient.newHttpClient().send(
                        second.get("/api/issues?size=200&page=" + page), HttpResponse.BodyHandlers.ofByteArray()).body());
                total = issues.get("totalElements").asLong();
                issues.get("content").forEach(issue -> keys.add(issue.get("externalKey").asString()));
            }
            System.out.printf("crash: %s; %d failed attempts while down%n", report.summary(), failures.get());
            assertThat(total).isEqualTo(events);
            assertThat(keys).hasSize(events);
        } finally {
            second.close();
        }
    }
}
