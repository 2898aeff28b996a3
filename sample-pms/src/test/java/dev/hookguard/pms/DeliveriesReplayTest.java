package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.inbox.JdbcInbox.State;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay over HTTP as a browser does it (form login, session cookie, CSRF token), against the PMS in inbox mode on
 * an H2 file: only a logged-in user with the session's token replays, and a replayed dead delivery ends done.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class DeliveriesReplayTest {

    @TempDir
    static Path dir;
    private static PmsApp app;
    private static final AtomicInteger SEQ = new AtomicInteger(900);
    private static final Pattern CSRF = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @BeforeAll
    static void start() {
        app = PmsApp.startInInboxMode(dir);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A form submission sent while the issue table is away: its row ends dead after its one attempt. */
    private static String deadFormSubmission() throws InterruptedException {
        try (IssueTableOutage outage = new IssueTableOutage(app)) {
            String key = sendForm(SEQ.incrementAndGet());
            app.awaitInbox(key, State.DEAD);
            return key;
        }
    }

    private static String sendForm(int seq) {
        assertThat(MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)).attempts().get(0).status()).isEqualTo(202);
        return "mautic:form_on_submit:" + (20_000 + seq);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void assertSentToLogin(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
    }

    private static void assertStillDead(String key) {
        InboxEntry entry = app.inbox().show(key).orElseThrow();
        assertThat(entry.state()).isEqualTo(State.DEAD);
        assertThat(entry.attempts()).isEqualTo(1);
        assertThat(entry.failure()).hasValueSatisfying(f -> assertThat(f.type()).contains("BadSqlGrammarException"));
    }

    @Test
    void notLoggedInTheBrowserIsSentToTheLoginFormAndNothingIsReplayed() throws Exception {
        String key = deadFormSubmission();
        Browser anonymous = new Browser();
        assertSentToLogin(anonymous.get("/deliveries"));
        assertSentToLogin(anonymous.get("/deliveries/replay?key=" + encode(key)));
        // Without a token the CSRF check refuses it; its 403 page needs a login too, so the browser lands on the form.
        assertSentToLogin(anonymous.post("/deliveries/replay", Map.of("key", key)));
        // With its own session's valid token, the CSRF check passes: the login is what stops it.
        String token = anonymous.csrfToken(anonymous.get("/login"));
        assertSentToLogin(anonymous.post("/deliveries/replay", Map.of("key", key, "_csrf", token)));
        assertSentToLogin(anonymous.post("/deliveries/replay-dead", Map.of("_csrf", token)));
        assertStillDead(key);
    }

    @Test
    void replayWithoutTheCsrfTokenIsForbiddenAndReplaysNothing() throws Exception {
        String key = deadFormSubmission();
        Browser browser = new Browser().logIn();
        assertThat(browser.get("/deliveries").statusCode()).isEqualTo(200);
        assertThat(browser.post("/deliveries/replay", Map.of("key", key)).statusCode()).as("no token").isEqualTo(403);
        assertThat(browser.post("/deliveries/replay", Map.of("key", key, "_csrf", "forged")).statusCode()).as("a forged token").isEqualTo(403);
        assertThat(browser.post("/deliveries/replay-dead", Map.of()).statusCode()).as("replay all, no token").isEqualTo(403);
        assertStillDead(key);
    }

    @Test
    void replayWithLoginAndTokenMakesTheDeadDeliveryPendingAndThenDone() throws Exception {
        String key = deadFormSubmission();
        Browser browser = new Browser().logIn();
        HttpResponse<String> confirmation = browser.get("/deliveries/replay?key=" + encode(key));
        assertThat(confirmation.statusCode()).isEqualTo(200);
        assertThat(confirmation.body()).contains("Replay " + key + "?").contains("DEAD").contains("BadSqlGrammarException");
        assertStillDead(key);

        HttpResponse<String> replayed = browser.post("/deliveries/replay", Map.of("key", key, "_csrf", browser.csrfToken(confirmation)));
        assertThat(replayed.statusCode()).isEqualTo(302);
        String location = replayed.headers().firstValue("Location").orElseThrow();
        assertThat(location).endsWith("/deliveries?replayed=" + encode(key));
        InboxEntry right = app.inbox().show(key).orElseThrow();
        assertThat(right.state()).as("pending again, or already taken by a worker").isIn(State.PENDING, State.RUNNING, State.DONE);
        assertThat(right.attempts()).isLessThanOrEqualTo(1);
        assertThat(browser.get(location.substring(location.indexOf("/deliveries"))).body()).contains("Replayed " + key + ": pending again");

        InboxEntry done = app.awaitInbox(key, State.DONE);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.failure()).isEmpty();
        assertThat(app.repository().issues()).extracting(Issue::externalKey).containsOnlyOnce(key);
    }

    @Test
    void aKeyWithSlashSemicolonPercentAndMarkupIsShownAsTextAndReplayed() throws Exception {
        ObjectNode session = SampleEvents.malcolmSession(SEQ.incrementAndGet(), true);
        session.put("id", "ws/1;%2F<b>x</b>");
        String key = "malcolm:ws/1;%2F<b>x</b>";
        try (IssueTableOutage outage = new IssueTableOutage(app)) {
            assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), PmsApp.MALCOLM_SECRET).instanceId("pmstest001").build()
                    .send(session).status()).isEqualTo(202);
            app.awaitInbox(key, State.DEAD);
        }
        Browser browser = new Browser().logIn();
        String page = browser.get("/deliveries?state=dead").body();
        assertThat(page).contains("malcolm:ws/1;%2F&lt;b&gt;x&lt;/b&gt;").doesNotContain("<b>x</b>");
        HttpResponse<String> confirmation = browser.get("/deliveries/replay?key=" + encode(key));
        assertThat(confirmation.statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = browser.post("/deliveries/replay", Map.of("key", key, "_csrf", browser.csrfToken(confirmation)));
        assertThat(replayed.statusCode()).isEqualTo(302);
        // The list it leads back to finds the key in its query, and highlights its row (its markup escaped).
        String location = replayed.headers().firstValue("Location").orElseThrow();
        String list = browser.get(location.substring(location.indexOf("/deliveries"))).body();
        assertThat(list).contains("Replayed malcolm:ws/1;%2F&lt;b&gt;x&lt;/b&gt;: pending again");
        assertThat(Pattern.compile("<tr [^>]*>").matcher(list).results().map(MatchResult::group)
                .filter(tr -> tr.contains("class=\"delivery replayed\"")))
                .singleElement().asString().contains("data-key=\"malcolm:ws/1;%2F&lt;b&gt;x&lt;/b&gt;\"");
        app.awaitInbox(key, State.DONE);
        assertThat(app.repository().issues()).extracting(Issue::title).contains(session.get("label").asText());
    }

    @Test
    void replayAllDeadReplaysEveryDeadDelivery() throws Exception {
        String first = deadFormSubmission();
        String second = deadFormSubmission();
        Browser browser = new Browser().logIn();
        HttpResponse<String> confirmation = browser.get("/deliveries/replay-dead");
        assertThat(confirmation.body()).contains("Replay " + app.inbox().counts().dead() + " dead deliveries?");
        HttpResponse<String> replayed = browser.post("/deliveries/replay-dead", Map.of("_csrf", browser.csrfToken(confirmation)));
        assertThat(replayed.statusCode()).isEqualTo(302);
        app.awaitInbox(first, State.DONE);
        app.awaitInbox(second, State.DONE);
        assertThat(app.inbox().counts().dead()).isZero();
    }

    @Test
    void aPendingDeliveryIsNotReplayed() throws Exception {
        JdbcInbox inbox = app.inbox();
        inbox.stop(Duration.ofSeconds(5));
        String key;
        try {
            key = sendForm(SEQ.incrementAndGet());
            assertThat(inbox.show(key).orElseThrow().state()).isEqualTo(State.PENDING);
            Browser browser = new Browser().logIn();
            HttpResponse<String> confirmation = browser.get("/deliveries/replay?key=" + encode(key));
            assertThat(confirmation.body()).contains("It is PENDING").doesNotContain("confirm-replay");
            HttpResponse<String> refused = browser.post("/deliveries/replay", Map.of("key", key, "_csrf", browser.csrfToken(browser.get("/login"))));
            assertThat(refused.statusCode()).isEqualTo(302);
            assertThat(browser.get("/deliveries").body()).contains("Not replayed " + key + ": it is PENDING");
            InboxEntry entry = inbox.show(key).orElseThrow();
            assertThat(entry.state()).isEqualTo(State.PENDING);
            assertThat(entry.attempts()).isZero();
        } finally {
            inbox.start(app.context.getBeansOfType(WebhookEndpoint.class).values().stream().filter(WebhookEndpoint::hasInbox)
                    .toArray(WebhookEndpoint[]::new));
        }
        app.awaitInbox(key, State.DONE);
    }

    @Test
    void anUnknownKeyIsNotFoundAndAnUnknownStateABadRequest() throws Exception {
        Browser browser = new Browser().logIn();
        HttpResponse<String> confirmation = browser.get("/deliveries/replay?key=" + encode("mautic:form_on_submit:<none>"));
        assertThat(confirmation.statusCode()).isEqualTo(404);
        assertThat(confirmation.body()).contains("The inbox has no delivery mautic:form_on_submit:&lt;none&gt;.");
        String token = browser.csrfToken(browser.get("/login"));
        assertThat(browser.post("/deliveries/replay", Map.of("key", "mautic:form_on_submit:none", "_csrf", token)).statusCode()).isEqualTo(404);
        assertThat(browser.get("/deliveries?state=LOST").statusCode()).isEqualTo(400);
    }

    /** One browser: its cookies (the session), and no redirect followed, so that each answer is seen as sent. */
    private static final class Browser {

        private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(app.uri(path)).header("Accept", "text/html").GET(), http);
        }

        HttpResponse<String> post(String path, Map<String, String> form) {
            String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
            return send(HttpRequest.newBuilder(app.uri(path)).header("Accept", "text/html")
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)), http);
        }

        /** The token Spring Security put in the page's form. */
        String csrfToken(HttpResponse<String> page) {
            Matcher token = CSRF.matcher(page.body());
            assertThat(token.find()).as("a CSRF token in " + page.uri()).isTrue();
            return token.group(1);
        }

        /** Logs in with the form, as a person does. */
        Browser logIn() {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("username", PmsApp.USER);
            form.put("password", PmsApp.PASSWORD);
            form.put("_csrf", csrfToken(get("/login")));
            HttpResponse<String> loggedIn = post("/login", form);
            assertThat(loggedIn.statusCode()).isEqualTo(302);
            assertThat(loggedIn.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
            return this;
        }

        static HttpResponse<String> send(HttpRequest.Builder request, HttpClient client) {
            try {
                return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
