package dev.hookguard.spring;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.inbox.SpoolCounts;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.util.unit.DataSize;

/**
 * {@code hookguard.inbox.spool.*}: the properties reach the inbox, and while its database is away the health stays
 * UP (deliveries are still acknowledged safely, on disk), DOWN once the spool is full; the spool's gauges and its
 * counts in the {@code hookguard} endpoint. Each context has a spool directory of its own: an inbox refuses a
 * directory another one holds, and a JVM holds each it opened.
 */
class InboxSpoolStarterTest {

    private static final String SECRET = "inbox-spool-secret";

    /** A new directory for a spool (not created: the inbox creates it). */
    private static Path freshDirectory() {
        return Path.of("target", "inbox-spool-" + System.nanoTime(), "spool");
    }

    private static WebApplicationContextRunner runner(SwitchableDataSource db, String... properties) {
        return new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
                .withBean(SwitchableDataSource.class, () -> db)
                .withPropertyValues("hookguard.mautic.secrets=" + SECRET, "hookguard.inbox.enabled=true", "hookguard.inbox.initialize-schema=always")
                .withPropertyValues(properties);
    }

    private static SwitchableDataSource database() {
        return new SwitchableDataSource(TestH2.freshFile("inbox-spool"));
    }

    /** One delivery of one part, as the endpoint hands it to the inbox once verified. */
    private static InboxDelivery delivery(String key, int bodyBytes) {
        byte[] body = ("{\"padding\":\"" + "x".repeat(bodyBytes) + "\"}").getBytes(StandardCharsets.UTF_8);
        return new InboxDelivery(SignatureScheme.MAUTIC, "", List.of(new InboxDelivery.Part(key, "mautic.form_on_submit", body)), body,
                Headers.of(Map.of("User-Agent", "Mautic")));
    }

    /** The indicator's status and details, through this Boot line's types (see {@link InboxHealthTest}). */
    private static Map.Entry<String, Map<String, Object>> health(ApplicationContext context) throws Exception {
        return InboxHealthTest.health(context);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    private static boolean drained(JdbcInbox inbox) {
        return inbox.spoolCounts().orElseThrow().entries() == 0;
    }

    @Test
    void thePropertiesBindAndReachTheInboxWhichCreatesItsSpoolDirectory() {
        Path dir = freshDirectory();
        runner(database(), "hookguard.inbox.spool.directory=" + dir, "hookguard.inbox.spool.max-size=10MB",
                "hookguard.inbox.spool.max-age=2h").run(context -> {
                    assertThat(context).hasNotFailed();
                    HookguardProperties.Inbox.Spool spool = context.getBean(HookguardProperties.class).inbox().spool();
                    assertThat(spool).isEqualTo(new HookguardProperties.Inbox.Spool(dir, DataSize.ofMegabytes(10), Duration.ofHours(2)));
                    assertThat(dir).isDirectory();
                    assertThat(context.getBean(JdbcInbox.class).spoolCounts()).hasValue(new SpoolCounts(0, 0, Duration.ZERO, true));
                });
    }

    @Test
    void withoutADirectoryThereIsNoSpoolAndTheBoundsKeepTheirDefaults() {
        runner(database()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(HookguardProperties.class).inbox().spool())
                    .isEqualTo(new HookguardProperties.Inbox.Spool(null, DataSize.ofGigabytes(1), Duration.ofHours(24)));
            assertThat(context.getBean(JdbcInbox.class).spoolCounts()).isEmpty();
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("UP");
            assertThat(health.getValue()).doesNotContainKeys("spooled", "spoolBytes", "oldestSpooledAge", "spoolAccepting", "database");
        });
    }

    @Test
    void aBoundThatIsNotPositiveStopsStartupNamingTheProperty() {
        runner(database(), "hookguard.inbox.spool.directory=" + freshDirectory(), "hookguard.inbox.spool.max-size=0B").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(HookguardConfigurationException.class)
                    .hasMessageContaining("hookguard.inbox.spool.max-size");
        });
        runner(database(), "hookguard.inbox.spool.directory=" + freshDirectory(), "hookguard.inbox.spool.max-age=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("hookguard.inbox.spool.max-age");
        });
    }

    @Test
    void whileTheDatabaseIsAwayTheHealthIsUpWithTheSpoolsCountsThenTheSpoolDrains() {
        SwitchableDataSource db = database();
        runner(db, "hookguard.inbox.spool.directory=" + freshDirectory()).run(context -> {
            JdbcInbox inbox = context.getBean(JdbcInbox.class);
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("UP");
            assertThat(health.getValue()).containsExactly(Map.entry("pending", (Object) 0L), Map.entry("running", (Object) 0L),
                    Map.entry("dead", (Object) 0L), Map.entry("oldestPendingSeconds", (Object) 0L), Map.entry("oldestDueSeconds", (Object) 0L),
                    Map.entry("liveWorkers", (Object) 2), Map.entry("spooled", (Object) 0L), Map.entry("spoolBytes", (Object) 0L),
                    Map.entry("oldestSpooledAge", (Object) "PT0S"), Map.entry("spoolAccepting", (Object) true));

            db.away.set(true);
            assertThat(inbox.store(delivery("mautic:spool-health-1", 10))).isEqualTo(1);
            assertThat(inbox.store(delivery("mautic:spool-health-2", 10))).isEqualTo(1);
            health = health(context);
            assertThat(health.getKey()).as("deliveries are still acknowledged safely: %s", health.getValue()).isEqualTo("UP");
            assertThat(health.getValue()).containsEntry("database", "unreachable").containsEntry("liveWorkers", 2)
                    .containsEntry("spooled", 2L).containsEntry("spoolAccepting", true).containsKey("oldestSpooledAge")
                    .doesNotContainKeys("pending", "error");
            assertThat((Long) health.getValue().get("spoolBytes")).isPositive();

            db.away.set(false);
            await("the spool drained into the database", () -> drained(inbox));
            health = health(context);
            assertThat(health.getKey()).isEqualTo("UP");
            assertThat(health.getValue()).doesNotContainKey("database").containsEntry("spooled", 0L).containsEntry("spoolBytes", 0L)
                    .containsKey("pending");
            assertThat(inbox.show("mautic:spool-health-1")).isPresent();
            assertThat(inbox.show("mautic:spool-health-2")).isPresent();
        });
    }

    @Test
    void aSpoolAtItsMaxSizeWhileTheDatabaseIsAwayIsDown() {
        SwitchableDataSource db = database();
        runner(db, "hookguard.inbox.spool.directory=" + freshDirectory(), "hookguard.inbox.spool.max-size=1KB").run(context -> {
            JdbcInbox inbox = context.getBean(JdbcInbox.class);
            db.away.set(true);
            assertThat(inbox.store(delivery("mautic:spool-full-1", 600))).isEqualTo(1);
            // Past 1 KB, not the default 1 GB: the property reached the inbox.
            assertThatThrownBy(() -> inbox.store(delivery("mautic:spool-full-2", 600))).isInstanceOf(IOException.class);
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("DOWN");
            assertThat(health.getValue()).containsEntry("database", "unreachable").containsEntry("spoolAccepting", false)
                    .containsEntry("spooled", 1L);

            db.away.set(false);
            await("the spool drained into the database", () -> drained(inbox));
            assertThat(health(context).getKey()).isEqualTo("UP");
        });
    }

    @Test
    void aSpoolWhoseOldestDeliveryIsPastMaxAgeWhileTheDatabaseIsAwayIsDown() {
        SwitchableDataSource db = database();
        runner(db, "hookguard.inbox.spool.directory=" + freshDirectory(), "hookguard.inbox.spool.max-age=1s").run(context -> {
            JdbcInbox inbox = context.getBean(JdbcInbox.class);
            db.away.set(true);
            assertThat(inbox.store(delivery("mautic:spool-old-1", 10))).isEqualTo(1);
            assertThat(health(context).getKey()).isEqualTo("UP");
            Thread.sleep(1_200);
            // Past 1 s, not the default 24 h: the property reached the inbox.
            assertThatThrownBy(() -> inbox.store(delivery("mautic:spool-old-2", 10))).isInstanceOf(IOException.class);
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("DOWN");
            assertThat(health.getValue()).containsEntry("database", "unreachable").containsEntry("spoolAccepting", false);
            assertThat(Duration.parse((String) health.getValue().get("oldestSpooledAge"))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

            db.away.set(false);
            await("the spool drained into the database", () -> drained(inbox));
            assertThat(health(context).getKey()).isEqualTo("UP");
        });
    }

    @Test
    void aContextThatFailsToStartFreesItsSpoolDirectoryForTheNextStart() {
        SwitchableDataSource db = database();
        Path dir = freshDirectory();
        runner(db, "hookguard.inbox.spool.directory=" + dir, "hookguard.inbox.initialize-schema=never").run(context -> {
            assertThat(context).as("no inbox table, and the database answers").hasFailed();
        });
        runner(db, "hookguard.inbox.spool.directory=" + dir).run(context -> {
            assertThat(context).as("the same directory, once the table is created").hasNotFailed();
            assertThat(context.getBean(JdbcInbox.class).spoolCounts()).isPresent();
        });
    }

    @Test
    void withASpoolAnInstanceStartsWhileItsDatabaseIsAwayAndWithoutOneItDoesNot() throws Exception {
        SwitchableDataSource db = database();
        JdbcInbox.builder(db).build().initializeSchema(); // by its migrations, before the outage
        db.away.set(true);
        runner(db).run(context -> {
            assertThat(context).as("no spool: nothing could take a delivery").hasFailed();
        });
        runner(db, "hookguard.inbox.spool.directory=" + freshDirectory()).run(context -> {
            assertThat(context).hasNotFailed();
            JdbcInbox inbox = context.getBean(JdbcInbox.class);
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("UP");
            assertThat(health.getValue()).containsEntry("database", "unreachable").containsEntry("spoolAccepting", true);
            assertThat(inbox.store(delivery("mautic:spool-outage-1", 10))).isEqualTo(1);

            db.away.set(false);
            await("the spool drained into the database", () -> drained(inbox));
            assertThat(inbox.show("mautic:spool-outage-1")).isPresent();
        });
    }

    @Test
    void theSpoolsGaugesAreThereOnlyWithASpool() {
        runner(database()).run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("hookguardInboxMeters", MeterBinder.class).bindTo(registry);
            assertThat(registry.find("hookguard.inbox.pending").gauge()).isNotNull();
            assertThat(registry.find("hookguard.inbox.spooled").gauge()).isNull();
            assertThat(registry.find("hookguard.inbox.spool.oldest.age").gauge()).isNull();
        });
        SwitchableDataSource db = database();
        runner(db, "hookguard.inbox.spool.directory=" + freshDirectory()).run(context -> {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            context.getBean("hookguardInboxMeters", MeterBinder.class).bindTo(registry);
            assertThat(registry.get("hookguard.inbox.spooled").gauge().value()).isZero();
            assertThat(registry.get("hookguard.inbox.spool.oldest.age").gauge().getId().getBaseUnit()).isEqualTo("seconds");
            db.away.set(true);
            context.getBean(JdbcInbox.class).store(delivery("mautic:spool-gauge-1", 10));
            Thread.sleep(1_100);
            assertThat(registry.get("hookguard.inbox.spooled").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get("hookguard.inbox.spool.oldest.age").gauge().value()).isGreaterThanOrEqualTo(1.0);
            db.away.set(false);
            await("the spool drained into the database", () -> drained(context.getBean(JdbcInbox.class)));
            assertThat(registry.get("hookguard.inbox.spooled").gauge().value()).isZero();
        });
    }

    // ---- over HTTP, as an application runs it ----

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        SwitchableDataSource dataSource() {
            return new SwitchableDataSource(TestH2.freshFile("inbox-spool-app"));
        }

        @Bean
        Forms forms() {
            return new Forms();
        }
    }

    /** Counts each submission it handles. */
    static class Forms {
        final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();

        @EventListener
        void on(FormSubmitted form) {
            handled.computeIfAbsent(form.submission().id().orElseThrow(), id -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void overHttpDeliveriesWhileTheDatabaseIsAwayAre202AndEachIsHandledOnceWhenItIsBack() throws Exception {
        Path dir = freshDirectory();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(App.class).properties("server.port=0", "spring.jmx.enabled=false",
                "hookguard.mautic.secrets=" + SECRET, "hookguard.inbox.enabled=true", "hookguard.inbox.spool.directory=" + dir,
                "management.endpoints.web.exposure.include=health,hookguard", "management.endpoint.health.show-details=always").run()) {
            int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
            SwitchableDataSource db = app.getBean(SwitchableDataSource.class);
            Forms forms = app.getBean(Forms.class);
            MeterRegistry registry = app.getBean(MeterRegistry.class);
            given().port(port).get("/actuator/hookguard").then().statusCode(200).body("spool.entries", equalTo(0))
                    .body("spool.bytes", equalTo(0)).body("spool.oldestSeconds", equalTo(0)).body("spool.accepting", equalTo(true));

            db.away.set(true);
            MauticSender mautic = MauticSender.builder(URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"), SECRET)
                    .retryPolicy(RetryPolicy.MAUTIC5).build();
            assertThat(mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 500, 3)).attempts()).extracting(a -> a.status())
                    .containsExactly(202, 202, 202);
            given().port(port).get("/actuator/health/hookguardInbox").then().statusCode(200).body("status", equalTo("UP"))
                    .body("details.database", equalTo("unreachable")).body("details.spooled", equalTo(3))
                    .body("details.spoolBytes", greaterThan(0)).body("details.spoolAccepting", equalTo(true))
                    .body("details.oldestSpooledAge", matchesPattern("PT\\d+S"))
                    .body("details.pending", nullValue());
            given().port(port).get("/actuator/hookguard").then().statusCode(200).body("database", equalTo("unreachable"))
                    .body("spool.entries", equalTo(3)).body("spool.accepting", equalTo(true)).body("pending", nullValue());
            assertThat(registry.get("hookguard.inbox.spooled").gauge().value()).isEqualTo(3.0);
            assertThat(forms.handled).as("nothing is handled before it is in the database").isEmpty();

            db.away.set(false);
            JdbcInbox inbox = app.getBean(JdbcInbox.class);
            await("each spooled delivery handled", () -> forms.handled.size() == 3 && inbox.counts().pending() == 0
                    && inbox.counts().running() == 0);
            assertThat(forms.handled).containsOnlyKeys(20_500L, 20_501L, 20_502L).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
            assertThat(registry.get("hookguard.inbox.spooled").gauge().value()).isZero();
            given().port(port).get("/actuator/health/hookguardInbox").then().statusCode(200).body("status", equalTo("UP"))
                    .body("details.database", nullValue()).body("details.spooled", equalTo(0)).body("details.pending", equalTo(0));
            given().port(port).get("/actuator/hookguard").then().statusCode(200).body("spool.entries", equalTo(0))
                    .body("spool.accepting", equalTo(true)).body("done", equalTo(3));
            assertThat(Files.isDirectory(dir)).isTrue();
        }
    }
}
