package dev.hookguard.spring.crashapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Direct mode is as durable as inbox mode: {@link DirectModeCrashApp} on an H2 file is killed ({@code kill -9}) in the
 * middle of a burst from a Mautic 5 sender (which never retries), and every delivery it answered 200 is in its table.
 * H2 keeps the last 500 ms of commits in memory unless {@code WRITE_DELAY} is 0, which the JDBC key store now sets.
 */
class DirectModeCrashTest {

    private static final String SECRET = "crash-app-mautic-secret";
    private static final int DELIVERIES = 600;

    @Test
    void everyDeliveryAnswered200BeforeAKillIsInTheDatabaseAfterIt() throws Exception {
        Path dir = Files.createTempDirectory("hookguard-direct-crash");
        String url = "jdbc:h2:retry:" + dir.resolve("app").toAbsolutePath();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), DirectModeCrashApp.class.getName(),
                "--server.port=" + port, "--spring.datasource.url=" + url, "--spring.datasource.username=sa",
                "--hookguard.mautic.secrets=" + SECRET, "--hookguard.idempotency.store=jdbc", "--spring.main.banner-mode=off")
                .redirectErrorStream(true).redirectOutput(dir.resolve("app.log").toFile()).start();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            boolean up = false;
            while (!up && System.nanoTime() < until && app.isAlive()) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    up = true;
                } catch (java.io.IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(up).as("the app started; see " + dir.resolve("app.log")).isTrue();

            MauticSender sender = MauticSender.builder(java.net.URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"), SECRET)
                    .retryPolicy(RetryPolicy.MAUTIC5).requestTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(1)).build();
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger answered = new AtomicInteger();
            Thread burst = new Thread(() -> {
                for (int seq = 0; seq < DELIVERIES && app.isAlive(); seq++) {
                    Attempt attempt = sender.sendImmediate(SampleEvents.of("mautic.form_on_submit", 70_000 + seq, 1)).attempts().get(0);
                    answered.incrementAndGet();
                    if (attempt.status() == 200) {
                        acknowledged.add(20_000L + 70_000 + seq);
                    }
                }
            });
            burst.start();
            while (answered.get() < DELIVERIES / 2 && burst.isAlive()) {
                Thread.sleep(2);
            }
            app.destroyForcibly().waitFor(20, TimeUnit.SECONDS); // SIGKILL, mid-burst
            burst.join();
            assertThat(acknowledged).as("deliveries answered 200 before the kill").hasSizeGreaterThan(DELIVERIES / 4);

            Set<Long> stored = new HashSet<>();
            try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select submission_id from issue")) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
            List<Long> lost = acknowledged.stream().filter(id -> !stored.contains(id)).sorted().toList();
            assertThat(lost).as("answered 200, then lost by the kill").isEmpty();
        } finally {
            app.destroyForcibly();
        }
    }
}
