package dev.hookguard.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Inbox mode by the plugin's configuration: the plugin runs the inbox's workers while the server runs. */
class PluginInboxTest {

    private static boolean workersAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("hookguard-inbox-") && t.isAlive());
    }

    @Test
    void workersRunWhileTheServerRunsAndHandleEveryDeliveryOnceDespiteAFailingFirstAttempt() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "plugin-inbox-" + System.nanoTime()));
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:retry:" + dir.toAbsolutePath().resolve("inbox"));
        h2.setUser("sa");
        JdbcInbox inbox = JdbcInbox.builder(h2).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();
        Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(hookguard -> hookguard
                .mautic("/webhooks/mautic", HookguardPluginTest.MAUTIC_SECRET)
                .inbox(inbox, Duration.ofSeconds(5))
                .onMautic(FormSubmitted.class, form -> {
                    long id = form.submission().id().orElseThrow();
                    if (attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                        throw new IllegalStateException("downstream hiccup");
                    }
                    handled.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                }))));
        assertThat(workersAlive()).as("no worker before the server starts").isFalse();
        app.start(0);
        try {
            assertThat(workersAlive()).isTrue();
            SendReport report = MauticSender.builder(URI.create("http://127.0.0.1:" + app.port() + "/webhooks/mautic"), HookguardPluginTest.MAUTIC_SECRET)
                    .retryPolicy(RetryPolicy.MAUTIC5).build().sendImmediate(SampleEvents.of("mautic.form_on_submit", 900, 5));
            assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (handled.size() < 5 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(handled).hasSize(5).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            app.stop();
        }
        assertThat(workersAlive()).as("the server's stop stopped the workers").isFalse();
        assertThat(inbox.counts().done()).isEqualTo(5);
    }
}
