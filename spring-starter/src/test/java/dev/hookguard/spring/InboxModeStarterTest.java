package dev.hookguard.spring;

import dev.hookguard.testsupport.TestH2;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/** hookguard.inbox.enabled=true on Boot's Tomcat: 202 at once, listeners run by the workers with retries. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = InboxModeStarterTest.App.class, properties = {
        "hookguard.mautic.secrets=inbox-starter-secret", "hookguard.inbox.enabled=true", "hookguard.inbox.first-retry=50ms",
        "hookguard.inbox.max-retry=200ms", "management.endpoints.web.exposure.include=health",
        "management.endpoint.health.show-details=always"})
class InboxModeStarterTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        DataSource dataSource() {
            return TestH2.freshFile("inbox-starter");
        }

        @Bean
        EffectWriter effectWriter(org.springframework.jdbc.core.JdbcTemplate jdbc) {
            jdbc.execute("create table if not exists effects (submission bigint not null)");
            return new EffectWriter(jdbc);
        }

        @Bean
        FlakyListener flakyListener() {
            return new FlakyListener();
        }
    }

    /** Writes each submission's effect in a transaction of its own making, and succeeds. */
    static class EffectWriter {
        private final org.springframework.jdbc.core.JdbcTemplate jdbc;

        EffectWriter(org.springframework.jdbc.core.JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @EventListener
        @org.springframework.core.annotation.Order(1)
        @org.springframework.transaction.annotation.Transactional
        public void on(FormSubmitted form) {
            jdbc.update("insert into effects (submission) values (?)", form.submission().id().orElseThrow());
        }
    }

    /** After the effect was written, fails the first attempt of each submission. */
    static class FlakyListener {
        final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();

        @EventListener
        @org.springframework.core.annotation.Order(2)
        void on(FormSubmitted form) {
            long id = form.submission().id().orElseThrow();
            if (attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                throw new IllegalStateException("downstream hiccup");
            }
            handled.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @Autowired
    FlakyListener listener;

    @Autowired
    JdbcInbox inbox;

    @Autowired
    MeterRegistry registry;


    @Test
    void deliveriesAreAnswered202AndEveryOneIsHandledOnceDespiteAFailingListener() throws Exception {
        SendReport report = MauticSender.builder(URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"), "inbox-starter-secret")
                .retryPolicy(RetryPolicy.MAUTIC5).build().sendImmediate(SampleEvents.of("mautic.form_on_submit", 800, 4));
        assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (inbox.counts().done() < 4 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(listener.handled).hasSize(4).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        // The effect of each failed first attempt was written in a transaction that joined the worker's: it was rolled back
        // with that attempt, so each submission has one row, not two.
        assertThat(jdbc.queryForObject("select count(*) from effects", Long.class)).isEqualTo(4);
        assertThat(registry.get("hookguard.inbox.pending").gauge().value()).isZero();
        assertThat(registry.get("hookguard.inbox.handled").tag("sender", "mautic").counter().count()).isEqualTo(4);
        assertThat(registry.get("hookguard.inbox.retried").tag("sender", "mautic").counter().count()).isEqualTo(4);
        // Through the actuator, so the same assertion holds on every Boot line (the indicator's type moved in Boot 4).
        given().port(port).get("/actuator/health/hookguardInbox").then().statusCode(200).body("status", equalTo("UP"))
                .body("details.pending", equalTo(0)).body("details.running", equalTo(0)).body("details.dead", equalTo(0))
                .body("details.oldestPendingSeconds", equalTo(0));
    }
}
