package dev.hookguard.spring;

import dev.hookguard.testsupport.TestH2;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * The {@code hookguard} Actuator endpoint on a real server in inbox mode: what it shows, replays over HTTP, keys a
 * path mangles, its absence where it is not exposed; and {@code hookguard.handling} timed in inbox mode.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = InboxEndpointTest.App.class, properties = {
        "hookguard.mautic.secrets=endpoint-mautic-secret", "hookguard.malcolm.secrets=endpoint-malcolm-secret",
        "hookguard.inbox.enabled=true", "hookguard.inbox.max-attempts=1",
        "management.endpoints.web.exposure.include=health,hookguard"})
class InboxEndpointTest {

    /** A key as a sender may choose it (a Malcolm! session's id): a path separator, a path parameter, an escape. */
    private static final String AWKWARD_ID = "ws/2026;part=1%20x";

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        DataSource dataSource() {
            return TestH2.freshFile("inbox-endpoint");
        }

        @Bean
        Listeners listeners() {
            return new Listeners();
        }
    }

    /** Fails what is broken (until fixed), holds what is held (until released); records each key it saw. */
    static class Listeners {
        final Set<Long> brokenForms = ConcurrentHashMap.newKeySet();
        final Map<Long, String> formKeys = new ConcurrentHashMap<>();
        final Map<Long, CountDownLatch> heldForms = new ConcurrentHashMap<>();
        volatile boolean sessionsBroken;

        @EventListener
        void on(FormSubmitted form) throws InterruptedException {
            long id = form.submission().id().orElseThrow();
            formKeys.put(id, form.idempotencyKey());
            CountDownLatch held = heldForms.get(id);
            if (held != null) {
                held.await(20, TimeUnit.SECONDS);
            }
            if (brokenForms.contains(id)) {
                throw new IllegalStateException("no ticket queue for submission " + id);
            }
        }

        @EventListener
        void on(WorkflowSession session) {
            if (sessionsBroken) {
                throw new IllegalArgumentException("tickets are down");
            }
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcInbox inbox;

    @Autowired
    Listeners listeners;

    @Autowired
    MeterRegistry registry;

    private MauticSender mautic() {
        return MauticSender.builder(URI.create("http://127.0.0.1:" + port + "/webhooks/mautic"), "endpoint-mautic-secret").build();
    }

    /** Sends one form submission (its id {@code 20000 + seq}) and waits until the inbox settled it; its key. */
    private String submit(int seq, JdbcInbox.State settled) throws InterruptedException {
        assertThat(mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)).attempts().get(0).status()).isEqualTo(202);
        long id = 20_000L + seq;
        String key = awaitKey(id);
        awaitState(key, settled);
        return key;
    }

    private String awaitKey(long id) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listeners.formKeys.containsKey(id) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(listeners.formKeys).as("submission %d reached its listener", id).containsKey(id);
        return listeners.formKeys.get(id);
    }

    private void awaitState(String key, JdbcInbox.State state) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!inbox.show(key).map(InboxEntry::state).filter(state::equals).isPresent() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(inbox.show(key)).as("row %s", key).hasValueSatisfying(e -> assertThat(e.state()).isEqualTo(state));
    }

    /** Each test's rows settled before the next test counts them (a replay of every dead row takes other tests' rows too). */
    @AfterEach
    void quiet() throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while ((inbox.counts().pending() > 0 || inbox.counts().running() > 0) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }

    private ValidatableResponse replay(String json) {
        return given().port(port).contentType("application/json").body(json).post("/actuator/hookguard").then();
    }

    @Test
    void theSummaryShowsTheCountsAndEachDeadRowWithWhyItFailedNeverItsBody() throws Exception {
        listeners.brokenForms.add(20_101L);
        String key = submit(101, JdbcInbox.State.DEAD);
        given().port(port).get("/actuator/hookguard").then().statusCode(200)
                .body("dead", equalTo((int) inbox.counts().dead())).body("pending", equalTo(0)).body("running", equalTo(0))
                .body("oldestDueSeconds", equalTo(0)).body("oldestPendingSeconds", equalTo(0)).body("liveWorkers", equalTo(2))
                .body("spool", nullValue()) // no hookguard.inbox.spool.directory: no spool to count (InboxSpoolStarterTest has one)
                .body("deadRows.key", hasItem(key))
                .body("deadRows.find { it.key == '" + key + "' }.sender", equalTo("mautic"))
                .body("deadRows.find { it.key == '" + key + "' }.eventType", equalTo("mautic.form_on_submit"))
                .body("deadRows.find { it.key == '" + key + "' }.state", equalTo("DEAD"))
                .body("deadRows.find { it.key == '" + key + "' }.attempts", equalTo(1))
                .body("deadRows.find { it.key == '" + key + "' }.failureType", equalTo("java.lang.IllegalStateException"))
                // The message quotes a payload value (the submission's id): withheld unless hookguard.log-exception-messages.
                .body("deadRows.find { it.key == '" + key + "' }.failureMessage", nullValue())
                // The submission's values (an email, say) stay in the table: no answer holds a body.
                .body(not(org.hamcrest.Matchers.containsString("@example.com")))
                .body(not(org.hamcrest.Matchers.containsString("\"body\"")));
        assertThat(inbox.body(key)).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8)).contains("@example.com"));
    }

    @Test
    void oneRowIsReadByItsKeyAndAnUnknownKeyIs404() throws Exception {
        String key = submit(102, JdbcInbox.State.DONE);
        given().port(port).get("/actuator/hookguard/" + key).then().statusCode(200).body("key", equalTo(key))
                .body("state", equalTo("DONE")).body("attempts", equalTo(1)).body("failureType", nullValue());
        given().port(port).get("/actuator/hookguard/no-such-key").then().statusCode(404);
    }

    @Test
    void aDeadRowReplayedOverHttpIsPendingThenDone() throws Exception {
        listeners.brokenForms.add(20_103L);
        String key = submit(103, JdbcInbox.State.DEAD);
        listeners.brokenForms.remove(20_103L);
        replay("{\"key\": \"" + key + "\"}").statusCode(200).body("key", equalTo(key)).body("state", equalTo("PENDING"))
                .body("replayed", equalTo(1)).body("error", nullValue());
        awaitState(key, JdbcInbox.State.DONE);
        given().port(port).get("/actuator/hookguard/" + key).then().statusCode(200).body("state", equalTo("DONE"))
                .body("attempts", equalTo(1));
    }

    @Test
    void everyDeadRowIsReplayedAtOnce() throws Exception {
        listeners.brokenForms.addAll(List.of(20_104L, 20_105L));
        String first = submit(104, JdbcInbox.State.DEAD);
        String second = submit(105, JdbcInbox.State.DEAD);
        listeners.brokenForms.removeAll(List.of(20_104L, 20_105L));
        long dead = inbox.counts().dead();
        replay("{\"allDead\": true}").statusCode(200).body("replayed", equalTo((int) dead)).body("key", nullValue());
        awaitState(first, JdbcInbox.State.DONE);
        awaitState(second, JdbcInbox.State.DONE);
    }

    @Test
    void anUnknownKeyIs404ARunningRowIs409AndAnEmptyRequestIs400() throws Exception {
        replay("{\"key\": \"mautic:no-such-row\"}").statusCode(404).body("replayed", equalTo(0))
                .body("error", equalTo("no inbox row has this key"));
        CountDownLatch held = new CountDownLatch(1);
        listeners.heldForms.put(20_106L, held);
        try {
            assertThat(mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", 106, 1)).attempts().get(0).status()).isEqualTo(202);
            String key = awaitKey(20_106L);
            awaitState(key, JdbcInbox.State.RUNNING);
            replay("{\"key\": \"" + key + "\"}").statusCode(409).body("state", equalTo("RUNNING")).body("replayed", equalTo(0))
                    .body("error", org.hamcrest.Matchers.containsString("left to its worker"));
            held.countDown();
            awaitState(key, JdbcInbox.State.DONE);
        } finally {
            held.countDown();
        }
        replay("{}").statusCode(400);
        replay("{\"key\": \"k\", \"allDead\": true}").statusCode(400);
    }

    /** Java's client, so the path goes out exactly as written (percent escapes included). */
    private HttpResponse<String> get(String rawPath) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + rawPath)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKeyWithSlashSemicolonAndPercentIsReadInThePathAndReplayedFromTheBody() throws Exception {
        String key = "malcolm:" + AWKWARD_ID;
        listeners.sessionsBroken = true;
        try {
            ObjectNode session = SampleEvents.malcolmSession(107, false);
            session.put("id", AWKWARD_ID);
            assertThat(MalcolmSender.builder(URI.create("http://127.0.0.1:" + port + "/webhooks/malcolm"), "endpoint-malcolm-secret").build()
                    .send(session).status()).isEqualTo(202);
            awaitState(key, JdbcInbox.State.DEAD);
        } finally {
            listeners.sessionsBroken = false;
        }
        // In the path: '/' as itself, ';' and '%' escaped (else a path parameter and an escape).
        HttpResponse<String> row = get("/actuator/hookguard/malcolm:ws/2026%3Bpart=1%2520x");
        assertThat(row.statusCode()).as(row.body()).isEqualTo(200);
        assertThat(row.body()).contains("\"key\":\"" + key + "\"", "\"failureType\":\"java.lang.IllegalArgumentException\"");
        replay("{\"key\": \"" + key + "\"}").statusCode(200).body("key", equalTo(key)).body("replayed", equalTo(1));
        awaitState(key, JdbcInbox.State.DONE);
    }

    @Test
    void handlingIsTimedInInboxModeBySenderOutcomeAndError() throws Exception {
        listeners.brokenForms.add(20_108L);
        submit(108, JdbcInbox.State.DEAD);
        submit(109, JdbcInbox.State.DONE);
        Timer handled = registry.find("hookguard.handling").tags("sender", "mautic", "outcome", "handled", "error", "none").timer();
        Timer failed = registry.find("hookguard.handling")
                .tags("sender", "mautic", "outcome", "handler_failed", "error", "IllegalStateException").timer();
        assertThat(handled).as("a timer of handled rows").isNotNull();
        assertThat(handled.count()).isPositive();
        assertThat(failed).as("a timer of failed attempts").isNotNull();
        assertThat(failed.count()).isPositive();
        // Stored deliveries are answered without handling: nothing else is timed.
        assertThat(registry.find("hookguard.handling").timers()).allSatisfy(t -> assertThat(t.getId().getTag("outcome"))
                .isIn("handled", "handler_failed"));
    }

    /** The README's block of Actuator properties, as a user pastes it. */
    static List<String> readmeBlock() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String block = readme.substring(readme.indexOf("<!-- spring-actuator-properties -->"),
                readme.indexOf("<!-- /spring-actuator-properties -->"));
        block = block.substring(block.indexOf("```properties") + "```properties".length(), block.lastIndexOf("```"));
        Properties parsed = new Properties();
        parsed.load(new StringReader(block));
        List<String> pairs = new ArrayList<>();
        parsed.forEach((name, value) -> pairs.add(name + "=" + value));
        return pairs;
    }

    private static ConfigurableApplicationContext start(List<String> properties) {
        List<String> all = new ArrayList<>(List.of("server.port=0", "hookguard.mautic.secrets=endpoint-mautic-secret",
                "hookguard.inbox.enabled=true", "spring.jmx.enabled=false"));
        all.addAll(properties);
        return new SpringApplicationBuilder(App.class).properties(all.toArray(String[]::new)).run();
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void unexposedTheEndpointAnswers404AndTheReadmeBlockExposesItWithReplaysOffWhenReadOnly() throws Exception {
        try (ConfigurableApplicationContext unexposed = start(List.of())) {
            assertThat(unexposed.containsBean("hookguardInboxEndpoint")).as("the endpoint exists, unexposed").isTrue();
            given().port(port(unexposed)).get("/actuator/hookguard").then().statusCode(404);
            given().port(port(unexposed)).contentType("application/json").body("{\"allDead\": true}").post("/actuator/hookguard")
                    .then().statusCode(404);
        }
        List<String> block = readmeBlock();
        assertThat(block).contains("management.endpoints.web.exposure.include=health,hookguard").noneMatch(v -> v.contains("#"));
        List<String> readOnly = new ArrayList<>(block);
        readOnly.add("management.endpoint.hookguard.access=read-only");
        try (ConfigurableApplicationContext exposed = start(readOnly)) {
            given().port(port(exposed)).get("/actuator/hookguard").then().statusCode(200).body("dead", equalTo(0));
            int refused = given().port(port(exposed)).contentType("application/json").body("{\"allDead\": true}")
                    .post("/actuator/hookguard").then().extract().statusCode();
            assertThat(refused).as("no write operation when read-only").isIn(404, 405);
        }
    }
}
