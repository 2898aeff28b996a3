package dev.hookguard.servlet;

import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Inbox mode configured as a {@code web.xml} user does: by class name and init-params, the DataSource found in JNDI.
 * The filter starts the inbox's workers itself and stops them with the container.
 */
class WebXmlInboxTest {

    static final Map<String, DataSource> JNDI = new ConcurrentHashMap<>();

    /** The container's naming: a lookup by name in {@link #JNDI}, as Tomcat's or Jetty's java:comp/env would give. */
    public static final class Naming implements InitialContextFactory {
        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class}, (proxy, method, args) -> {
                if (method.getName().equals("lookup") && args[0] instanceof String name) {
                    DataSource found = JNDI.get(name);
                    if (found == null) {
                        throw new NameNotFoundException(name);
                    }
                    return found;
                }
                if (method.getName().equals("close")) {
                    return null;
                }
                throw new UnsupportedOperationException(method.getName());
            });
        }
    }

    /** The application's handler, named in web.xml (retries are InboxModeTest's subject; the default backoff is seconds). */
    public static final class CountingHandler implements WebhookHandler<MauticBatch> {
        static final Map<Long, AtomicInteger> HANDLED = new ConcurrentHashMap<>();

        @Override
        public void handle(MauticBatch batch) {
            for (FormSubmitted form : batch.eventsOf(FormSubmitted.class)) {
                HANDLED.computeIfAbsent(form.submission().id().orElseThrow(), k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    @BeforeEach
    void naming() throws Exception {
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, Naming.class.getName());
        Path dir = Files.createDirectories(Path.of("target", "webxml-inbox-" + System.nanoTime()));
        JdbcDataSource h2 = TestH2.file(dir.resolve("inbox"));
        JNDI.put("java:comp/env/jdbc/hookguard", h2);
        CountingHandler.HANDLED.clear();
    }

    @AfterEach
    void clearNaming() {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        JNDI.clear();
    }

    private static Map<String, String> params(String dataSource) {
        return Map.of("scheme", "mautic", "secrets", SchemeFixture.SECRET, "handler-class", CountingHandler.class.getName(),
                "inbox-datasource", dataSource, "inbox-initialize-schema", "true");
    }

    private static boolean workersAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("hookguard-inbox-") && t.isAlive());
    }

    @Test
    void theFilterStartsTheWorkersAtInitHandlesEveryDeliveryOnceAndStopsThemWithTheContainer() throws Exception {
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params("java:comp/env/jdbc/hookguard"),
                "/webhooks/mautic").start();
        try {
            assertThat(workersAlive()).as("workers run once the filter is initialised").isTrue();
            SendReport report = MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).retryPolicy(RetryPolicy.MAUTIC5).build()
                    .sendImmediate(SampleEvents.of("mautic.form_on_submit", 700, 5));
            assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (CountingHandler.HANDLED.size() < 5 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(CountingHandler.HANDLED).hasSize(5).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            app.close();
        }
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (workersAlive() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(workersAlive()).as("the container's stop stopped the workers").isFalse();
    }

    @Test
    void anUnknownJndiNameOrAMissingHandlerStopsTheApplicationNamingTheParameter() throws Exception {
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params("java:comp/env/jdbc/typo"),
                "/webhooks/mautic");
        assertThatThrownBy(app::start).hasMessageContaining("'inbox-datasource'").hasMessageContaining("java:comp/env/jdbc/typo");
        app.close();
        Map<String, String> noHandler = new java.util.HashMap<>(params("java:comp/env/jdbc/hookguard"));
        noHandler.remove("handler-class");
        JettyApp second = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), noHandler, "/webhooks/mautic");
        assertThatThrownBy(second::start).hasMessageContaining("'inbox-datasource' needs 'handler-class'");
        second.close();
        assertThat(workersAlive()).isFalse();
    }

    /** Fails every delivery: with inbox-max-attempts 1 its row is dead after one attempt. */
    public static final class FailingHandler implements WebhookHandler<MauticBatch> {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Override
        public void handle(MauticBatch batch) {
            CALLS.incrementAndGet();
            throw new IllegalStateException("the application's own failure");
        }
    }

    @Test
    void theInboxInitParamsReachTheInboxTableAndAttempts() throws Exception {
        FailingHandler.CALLS.set(0);
        Map<String, String> params = new java.util.HashMap<>(params("java:comp/env/jdbc/hookguard"));
        params.put("handler-class", FailingHandler.class.getName());
        params.put("inbox-table", "webxml_inbox");
        params.put("inbox-max-attempts", "1");
        params.put("inbox-handler-timeout", "30s");
        params.put("inbox-workers", "1");
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params, "/webhooks/mautic").start();
        try {
            SendReport report = MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).build()
                    .sendImmediate(SampleEvents.of("mautic.form_on_submit", 900, 1));
            assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
            DataSource h2 = JNDI.get("java:comp/env/jdbc/hookguard");
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String state = null;
            while (!"DEAD".equals(state) && System.nanoTime() < until) {
                Thread.sleep(20);
                try (var c = h2.getConnection(); var rs = c.createStatement().executeQuery("select state, attempts from webxml_inbox")) {
                    state = rs.next() ? rs.getString(1) : null;
                }
            }
            assertThat(state).as("dead after the one attempt inbox-max-attempts allows, in the table inbox-table names").isEqualTo("DEAD");
            assertThat(FailingHandler.CALLS.get()).isEqualTo(1);
        } finally {
            app.close();
        }
    }

    @Test
    void theIdempotencyDataSourceInitParamSharesDeliveryKeysBetweenTwoFilters() throws Exception {
        Map<String, String> params = Map.of("scheme", "mautic", "secrets", SchemeFixture.SECRET, "handler-class", CountingHandler.class.getName(),
                "idempotency-datasource", "java:comp/env/jdbc/hookguard", "idempotency-initialize-schema", "true");
        JettyApp first = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params, "/webhooks/mautic").start();
        JettyApp second = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params, "/webhooks/mautic").start();
        try {
            var events = SampleEvents.of("mautic.form_on_submit", 950, 1);
            assertThat(MauticSender.builder(first.uri("/webhooks/mautic"), SchemeFixture.SECRET).build().sendImmediate(events).allDelivered()).isTrue();
            assertThat(MauticSender.builder(second.uri("/webhooks/mautic"), SchemeFixture.SECRET).build().sendImmediate(events).allDelivered()).isTrue();
            assertThat(CountingHandler.HANDLED).as("the second instance saw the first one's key and did not handle it again")
                    .hasSize(1).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            first.close();
            second.close();
        }
    }

    // ---- the spool ----

    /** The JNDI DataSource, made to refuse every new connection (SQLState 08001) while {@code away} is set. */
    private static AtomicBoolean switchable(String name) {
        SwitchableDataSource switchable = new SwitchableDataSource(JNDI.get(name));
        JNDI.put(name, switchable);
        return switchable.away;
    }

    private static Map<String, String> spooled(String... pairs) {
        Map<String, String> params = new java.util.HashMap<>(params("java:comp/env/jdbc/hookguard"));
        params.put("inbox-spool-directory", Path.of("target", "webxml-spool-" + System.nanoTime()).toString());
        for (int i = 0; i < pairs.length; i += 2) {
            params.put(pairs[i], pairs[i + 1]);
        }
        return params;
    }

    private static int send(JettyApp app, int seq) {
        return MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).retryPolicy(RetryPolicy.MAUTIC5).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)).attempts().get(0).status();
    }

    private static void awaitHandled(int count) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (CountingHandler.HANDLED.size() < count && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        Thread.sleep(200); // and nothing more, nor twice
    }

    @Test
    void whileTheDatabaseIsAwayTheSpoolTakesDeliveriesUpToInboxSpoolMaxBytesAndTheInboxHandlesEachOnceWhenItIsBack() throws Exception {
        AtomicBoolean away = switchable("java:comp/env/jdbc/hookguard");
        Map<String, String> params = spooled("inbox-spool-max-bytes", "20000");
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params, "/webhooks/mautic").start();
        try {
            assertThat(Path.of(params.get("inbox-spool-directory"))).as("the spool's directory, created by the inbox").isDirectory();
            away.set(true);
            Map<Long, Integer> statuses = new java.util.LinkedHashMap<>();
            for (int seq = 0; seq < 40; seq++) {
                statuses.put(20_000L + 1_000 + seq, send(app, 1_000 + seq));
            }
            List<Long> acknowledged = statuses.entrySet().stream().filter(e -> e.getValue() == 202).map(Map.Entry::getKey).toList();
            assertThat(statuses.values()).as("202 while the spool has room, then 503: %s", statuses).containsOnly(202, 503)
                    .startsWith(202).endsWith(503);
            assertThat(acknowledged).as("a 20,000-byte bound, not the default 1 GiB").hasSizeLessThan(40);
            byte[] body = ("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":29999,\"padding\":\"" + "x".repeat(4_000)
                    + "\"}}],\"timestamp\":\"2026-12-04T10:00:00+00:00\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8); // more than the room left
            java.net.http.HttpResponse<String> full = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(app.uri("/webhooks/mautic"))
                    .header("Content-Type", "application/json")
                    .header("Webhook-Signature", dev.hookguard.signature.WebhookSigner.sign(dev.hookguard.signature.SignatureScheme.MAUTIC, SchemeFixture.SECRET, body))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(full.statusCode()).as("the spool is full").isEqualTo(503);
            assertThat(full.headers().firstValue("Retry-After")).as("as without a spool: a sender that retries is told when").isPresent();
            assertThat(full.body()).contains("inbox_unavailable").doesNotContain("29999");
            assertThat(CountingHandler.HANDLED).as("nothing is handled before it is in the database").isEmpty();

            away.set(false);
            awaitHandled(acknowledged.size());
            assertThat(CountingHandler.HANDLED).as("every acknowledged delivery, each once, and none answered 503")
                    .containsOnlyKeys(acknowledged).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            app.close();
        }
    }

    @Test
    void theSpoolRefusesPastInboxSpoolMaxAge() throws Exception {
        AtomicBoolean away = switchable("java:comp/env/jdbc/hookguard");
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), spooled("inbox-spool-max-age", "1s"),
                "/webhooks/mautic").start();
        try {
            away.set(true);
            assertThat(send(app, 1_100)).isEqualTo(202);
            Thread.sleep(1_200);
            assertThat(send(app, 1_101)).as("the oldest spooled delivery waited past 1 s, not the default 24 h").isEqualTo(503);
            away.set(false);
            awaitHandled(1);
            assertThat(CountingHandler.HANDLED).containsOnlyKeys(21_100L).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            app.close();
        }
    }

    @Test
    void withASpoolTheFilterStartsWhileItsDatabaseIsAwayAndWithoutOneItDoesNot() throws Exception {
        JdbcInbox.builder(JNDI.get("java:comp/env/jdbc/hookguard")).build().initializeSchema(); // by its migrations, before the outage
        AtomicBoolean away = switchable("java:comp/env/jdbc/hookguard");
        away.set(true);
        JettyApp refused = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), params("java:comp/env/jdbc/hookguard"),
                "/webhooks/mautic");
        assertThatThrownBy(refused::start).as("no spool: nothing could take a delivery")
                .hasStackTraceContaining("could not open the inbox's database");
        refused.close();
        JettyApp app = JettyApp.create().filterByClassName(WebhookVerificationFilter.class.getName(), spooled(), "/webhooks/mautic").start();
        try {
            assertThat(send(app, 1_200)).isEqualTo(202);
            assertThat(send(app, 1_201)).isEqualTo(202);
            away.set(false);
            awaitHandled(2);
            assertThat(CountingHandler.HANDLED).containsOnlyKeys(21_200L, 21_201L).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
        } finally {
            app.close();
        }
    }
}
