package dev.hookguard.pms;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Issue 15 in the sample: poison deliveries, login, pagination, no payload values in the log. Real Tomcat, real H2. */
@ExtendWith(OutputCaptureExtension.class)
class PmsHardeningTest {

    private static PmsApp app;

    @BeforeAll
    static void start() {
        RestAssured.config = RestAssuredConfig.config()
                .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
        app = PmsApp.start("jdbc:h2:mem:pms-hardening;DB_CLOSE_DELAY=-1");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static MauticSender mautic() {
        return MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
    }

    private static OutgoingEvent form(int seq, ObjectNode payload) {
        return new OutgoingEvent("mautic.form_on_submit", payload, SampleEvents.queuedAt(seq));
    }

    /** A form submission whose form name is 600 characters and whose email (lead and result) is 400. */
    private static OutgoingEvent longNameAndEmail(int seq, String marker) {
        ObjectNode payload = SampleEvents.payload("mautic.form_on_submit", seq);
        ObjectNode submission = (ObjectNode) payload.get("submission");
        String name = marker + "N".repeat(600 - marker.length());
        String email = marker.toLowerCase() + "e".repeat(400 - marker.length() - "@example.com".length()) + "@example.com";
        ((ObjectNode) submission.get("form")).put("name", name);
        ((ObjectNode) submission.get("results")).put("email", email);
        ((ObjectNode) submission.get("lead").get("fields").get("core").get("email")).put("value", email);
        return form(seq, payload);
    }

    private static OutgoingEvent thousandDigitId(int seq) {
        ObjectNode payload = SampleEvents.payload("mautic.form_on_submit", seq);
        ((ObjectNode) payload.get("submission")).put("id", new BigInteger("7" + "3".repeat(999)));
        return form(seq, payload);
    }

    private static List<Issue> issuesFromSeq(int firstContact, int lastContact) {
        return app.repository().issues().stream().filter(i -> {
            String key = i.externalKey();
            return key.startsWith("sha256:") || key.matches("mautic:form_on_submit:\\d+")
                    && Integer.parseInt(key.substring(key.lastIndexOf(':') + 1)) - 20_000 >= firstContact
                    && Integer.parseInt(key.substring(key.lastIndexOf(':') + 1)) - 20_000 <= lastContact;
        }).toList();
    }

    @Test
    void aBatchWithOverlongValuesAndAThousandDigitIdIsAcceptedAndEveryEventRecorded() {
        long eventsBefore = app.repository().count("received_event");
        long issuesBefore = app.repository().count("issue");
        List<OutgoingEvent> batch = List.of(SampleEvents.of("mautic.form_on_submit", 901), longNameAndEmail(902, "LONGNAME"), thousandDigitId(903));

        SendReport report = mautic().sendQueued(batch);
        assertThat(report.attempts()).extracting(a -> a.status()).allMatch(s -> s >= 200 && s < 300);
        assertThat(app.repository().count("received_event") - eventsBefore).isEqualTo(3);
        assertThat(app.repository().count("issue") - issuesBefore).isEqualTo(3);

        Issue longOne = app.repository().issues().stream().filter(i -> i.title().startsWith("LONGNAME")).findFirst().orElseThrow();
        assertThat(longOne.title()).hasSize(Columns.TITLE).endsWith("…");
        assertThat(longOne.reporter()).hasSize(Columns.REPORTER).endsWith("…");

        // The same batch again (a retry): nothing new, still 2xx.
        assertThat(mautic().sendQueued(batch).attempts()).extracting(a -> a.status()).allMatch(s -> s >= 200 && s < 300);
        assertThat(app.repository().count("received_event") - eventsBefore).isEqualTo(3);
        assertThat(app.repository().count("issue") - issuesBefore).isEqualTo(3);
    }

    @Test
    void aMauticKeyLongerThanItsColumnIsHashedAndStillDeduplicates() {
        ObjectNode payload = SampleEvents.payload("mautic.email_on_send", 906);
        payload.put("idHash", "h".repeat(1000));
        List<OutgoingEvent> sent = List.of(new OutgoingEvent("mautic.email_on_send", payload, SampleEvents.queuedAt(906)));
        long before = app.repository().count("received_event");
        assertThat(mautic().sendImmediate(sent).attempts()).extracting(a -> a.status()).allMatch(s -> s >= 200 && s < 300);
        assertThat(mautic().sendImmediate(sent).attempts()).extracting(a -> a.status()).allMatch(s -> s >= 200 && s < 300);
        assertThat(app.repository().count("received_event") - before).isEqualTo(1);
        assertThat(app.repository().events(0, 1).content().get(0).idempotencyKey()).isEqualTo(Columns.key("mautic:email_on_send:" + "h".repeat(1000)))
                .matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void aMalcolmSessionWithAThousandCharacterIdBecomesOneIssueAndItsReplayNoSecond() {
        MalcolmSender sender = MalcolmSender.builder(app.uri("/webhooks/malcolm"), PmsApp.MALCOLM_SECRET).instanceId("pmshard001").build();
        ObjectNode session = SampleEvents.malcolmSession(904, true);
        session.put("id", "ws" + "f".repeat(998));
        long before = app.repository().count("issue");
        int first = sender.send(session).status();
        assertThat(first).isBetween(200, 299);
        assertThat(app.repository().count("issue") - before).isEqualTo(1);
        int replay = sender.send(session).status();
        assertThat(replay).isBetween(200, 299);
        assertThat(app.repository().count("issue") - before).isEqualTo(1);
        assertThat(app.repository().issues(0, 1).content().get(0).externalKey()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void aPoisonDeliveryLogsNoPayloadValue(CapturedOutput output) {
        String distinctive = "ZQXJPOISONVALUE";
        ObjectNode payload = SampleEvents.payload("mautic.form_on_submit", 905);
        ((ObjectNode) ((ObjectNode) payload.get("submission")).get("form")).put("name", distinctive + "P".repeat(700));
        ((ObjectNode) ((ObjectNode) payload.get("submission")).get("results")).put("email", distinctive.toLowerCase() + "x".repeat(400) + "@example.com");
        assertThat(mautic().sendImmediate(List.of(form(905, payload))).attempts()).extracting(a -> a.status()).allMatch(s -> s >= 200 && s < 300);
        assertThat(app.repository().issues().stream().filter(i -> i.title().startsWith(distinctive))).hasSize(1);
        assertThat(output.getAll()).doesNotContain(distinctive);
    }

    @Test
    void aDataErrorIsToldApartFromTheDatabaseBeingDownAndDescribedWithoutItsMessage() {
        var tooLong = new org.springframework.dao.DataIntegrityViolationException("Value too long 'SECRETVALUE'",
                new java.sql.SQLDataException("Value too long for column 'SECRETVALUE'", "22001"));
        assertThat(DataErrors.isDataError(tooLong)).isTrue();
        assertThat(DataErrors.describe(tooLong)).doesNotContain("SECRETVALUE").contains("22001");
        assertThat(DataErrors.isDataError(new org.springframework.dao.DuplicateKeyException("dup"))).isFalse();
        assertThat(DataErrors.isDataError(new org.springframework.jdbc.CannotGetJdbcConnectionException("down",
                new java.sql.SQLTransientConnectionException("down", "08001")))).isFalse();
    }

    @Test
    void listsArePagedTheSpringDataWay() {
        mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", 920, 5));
        long issues = app.repository().count("issue");
        long events = app.repository().count("received_event");
        Response first = PmsApp.loggedIn().get(app.uri("/api/issues?page=0&size=2"));
        first.then().statusCode(200).body("content", hasSize(2)).body("page", equalTo(0)).body("size", equalTo(2))
                .body("totalElements", equalTo((int) issues)).body("totalPages", equalTo((int) ((issues + 1) / 2)));
        List<Map<String, Object>> all = PmsApp.loggedIn().get(app.uri("/api/issues?size=200")).then().statusCode(200)
                .extract().jsonPath().getList("content");
        assertThat(all).hasSize((int) Math.min(issues, 200));
        PmsApp.loggedIn().get(app.uri("/api/issues?page=1&size=2")).then().body("content[0].id", equalTo(all.get(2).get("id")));
        PmsApp.loggedIn().get(app.uri("/api/issues")).then().body("size", equalTo(20)).body("page", equalTo(0));
        PmsApp.loggedIn().get(app.uri("/api/issues?size=100000")).then().body("size", equalTo(200));
        PmsApp.loggedIn().get(app.uri("/api/issues?page=100000&size=5")).then().body("content", hasSize(0))
                .body("totalElements", equalTo((int) issues));
        PmsApp.loggedIn().get(app.uri("/api/events?page=1&size=3")).then().statusCode(200).body("content", hasSize(3))
                .body("page", equalTo(1)).body("size", equalTo(3)).body("totalElements", equalTo((int) events))
                .body("totalPages", equalTo((int) ((events + 2) / 3)));

        String page0 = PmsApp.loggedIn().get(app.uri("/?size=2")).then().statusCode(200).extract().asString();
        assertThat(page0).contains("id=\"next\"").doesNotContain("id=\"previous\"").contains("href=\"/?page=1&amp;size=2\"");
        String page1 = PmsApp.loggedIn().get(app.uri("/?page=1&size=2")).then().statusCode(200).extract().asString();
        assertThat(page1).contains("id=\"previous\"").contains("href=\"/?page=0&amp;size=2\"");
    }

    @Test
    void everyPageNeedsALoginButTheWebhooksDoNot() {
        for (String path : List.of("/", "/api/issues", "/api/events", "/api/issues/1", "/deliveries", "/anything")) {
            int status = given().redirects().follow(false).get(app.uri(path)).statusCode();
            assertThat(status).as(path).isIn(401, 302);
            given().auth().preemptive().basic(PmsApp.USER, "wrong").get(app.uri(path)).then().statusCode(401);
        }
        // The sign-in form and its stylesheet (which holds no data) are all that is served without a login.
        given().redirects().follow(false).get(app.uri("/login")).then().statusCode(200);
        given().redirects().follow(false).get(app.uri("/pms.css")).then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/css"));
        given().redirects().follow(false).header("Accept", "text/html").get(app.uri("/")).then().statusCode(302)
                .header("Location", org.hamcrest.Matchers.endsWith("/login"));
        PmsApp.loggedIn().get(app.uri("/api/issues")).then().statusCode(200);
        // A webhook needs its signature only: no login, no CSRF token.
        assertThat(mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", 930, 1)).allDelivered()).isTrue();
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), PmsApp.MALCOLM_SECRET).instanceId("pmshard002").build()
                .send(SampleEvents.malcolmSession(931, false)).status()).isEqualTo(200);
        // A POST elsewhere, even logged in, needs a CSRF token (browsers) : refused without.
        given().redirects().follow(false).post(app.uri("/api/issues")).then().statusCode(org.hamcrest.Matchers.oneOf(401, 403));
    }

    @Test
    void pagesCarryTheSecurityHeaders() {
        for (String path : List.of("/", "/api/issues", "/login")) {
            PmsApp.loggedIn().get(app.uri(path)).then().statusCode(200)
                    .header("Content-Security-Policy", equalTo(SecurityConfiguration.CONTENT_SECURITY_POLICY))
                    .header("X-Frame-Options", equalTo("DENY"))
                    .header("X-Content-Type-Options", equalTo("nosniff"));
        }
    }
}
