package dev.hookguard.pms;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.SampleEvents;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PMS end to end: real Tomcat, real H2, the reference sender. */
class PmsEndToEndTest {

    private static PmsApp app;
    private static final AtomicInteger SEQ = new AtomicInteger(100);

    @BeforeAll
    static void start() {
        RestAssured.config = RestAssuredConfig.config()
                .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
        app = PmsApp.start("jdbc:h2:mem:pms-e2e;DB_CLOSE_DELAY=-1");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static MauticSender mautic() {
        return MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
    }

    private static long issues() {
        return app.repository().count("issue");
    }

    private static long events() {
        return app.repository().count("received_event");
    }

    @Test
    void formSubmissionCreatesExactlyOneIssueHoweverOftenItIsDelivered() {
        int seq = SEQ.addAndGet(10);
        List<OutgoingEvent> form = SampleEvents.of("mautic.form_on_submit", seq, 1);
        long before = issues();
        for (int i = 0; i < 3; i++) {
            assertThat(mautic().sendImmediate(form).allDelivered()).isTrue();
        }
        assertThat(issues() - before).isEqualTo(1);
        Issue issue = app.repository().issues().get(0);
        assertThat(issue.source()).isEqualTo("mautic");
        assertThat(issue.externalKey()).isEqualTo("mautic:form_on_submit:" + (20_000 + seq));
        assertThat(issue.title()).contains(": ");
        assertThat(issue.description()).startsWith("name: ").contains("\nemail: form+" + seq + "@example.com");
        assertThat(issue.reporter()).isEqualTo("contact+" + seq + "@example.com");
    }

    @Test
    void queuedMixedBatchRecordsEveryEventAndCreatesIssuesOnlyForForms() {
        int seq = SEQ.addAndGet(40);
        long issuesBefore = issues();
        long eventsBefore = events();
        List<OutgoingEvent> events = SampleEvents.cycling(SampleEvents.MAUTIC_TYPES, seq, 28);
        assertThat(MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).order(QueueOrder.DESC).build()
                .sendQueued(events).allDelivered()).isTrue();
        assertThat(events() - eventsBefore).isEqualTo(28);
        assertThat(issues() - issuesBefore).isEqualTo(2);
        assertThat(app.repository().eventCountsByType()).containsKeys(SampleEvents.MAUTIC_TYPES.toArray(String[]::new));
    }

    @Test
    void malcolmSessionBecomesAnIssueTitledByItsLabel() {
        int seq = SEQ.addAndGet(10);
        long before = issues();
        MalcolmSender sender = MalcolmSender.builder(app.uri("/webhooks/malcolm"), PmsApp.MALCOLM_SECRET).instanceId("pmstest001").build();
        ObjectNode session = SampleEvents.malcolmSession(seq, true);
        assertThat(sender.send(session).status()).isEqualTo(200);
        assertThat(sender.send(session).status()).isEqualTo(200);
        assertThat(issues() - before).isEqualTo(1);
        Issue issue = app.repository().issues().get(0);
        assertThat(issue.source()).isEqualTo("malcolm");
        assertThat(issue.title()).isEqualTo(session.get("label").asText());
        assertThat(issue.description()).startsWith(session.get("description").asText()).contains("Your email address: malcolm+" + seq);
        assertThat(issue.reporter()).isEqualTo("malcolm+" + seq + "@example.com");
    }

    @Test
    void everyRefusalLeavesNoRow() {
        long issuesBefore = issues();
        long eventsBefore = events();
        int seq = SEQ.addAndGet(10);
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", seq, 1));
        Map<String, String> good = mautic().headersFor(body);
        assertThat(MauticSender.builder(app.uri("/webhooks/mautic"), "forged").build().sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1))
                .attempts().get(0).status()).isEqualTo(401);
        given().header("Content-Type", "application/json").body(body).post(app.uri("/webhooks/mautic")).then().statusCode(401);
        Map<String, String> textPlain = new HashMap<>(good);
        textPlain.put("Content-Type", "text/plain");
        given().headers(textPlain).body(body).post(app.uri("/webhooks/mautic")).then().statusCode(415);
        given().get(app.uri("/webhooks/mautic")).then().statusCode(405);
        byte[] notMautic = "{\"id\":\"x\"}".getBytes();
        given().headers(mautic().headersFor(notMautic)).body(notMautic).post(app.uri("/webhooks/mautic")).then().statusCode(400);
        byte[] huge = new byte[6 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        given().headers(mautic().headersFor(huge)).body(huge).post(app.uri("/webhooks/mautic")).then().statusCode(413);
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), "forged").build().send(SampleEvents.malcolmSession(seq, true)).status())
                .isEqualTo(401);
        assertThat(issues()).isEqualTo(issuesBefore);
        assertThat(events()).isEqualTo(eventsBefore);
    }

    @Test
    void sendTestPayloadIsAcceptedAndRecordedAsActivity() {
        long issuesBefore = issues();
        long eventsBefore = events();
        assertThat(mautic().sendTestPayload(SampleEvents.MAUTIC_TYPES, OffsetDateTime.now().minusDays(SEQ.incrementAndGet())).allDelivered()).isTrue();
        assertThat(events() - eventsBefore).isEqualTo(8);
        assertThat(issues()).isEqualTo(issuesBefore);
    }

    @Test
    void apiListsIssuesNewestFirstWithTheirFields() {
        int seq = SEQ.addAndGet(10);
        mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1));
        mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", seq + 1, 1));
        List<Map<String, Object>> issues = PmsApp.loggedIn().get(app.uri("/api/issues")).then().statusCode(200).extract().jsonPath().getList("content");
        assertThat(issues.get(0).get("externalKey")).isEqualTo("mautic:form_on_submit:" + (20_001 + seq));
        assertThat(issues.get(1).get("externalKey")).isEqualTo("mautic:form_on_submit:" + (20_000 + seq));
        assertThat(issues.get(0)).containsKeys("id", "title", "description", "source", "externalKey", "reporter", "createdAt");
        Object id = issues.get(0).get("id");
        PmsApp.loggedIn().get(app.uri("/api/issues/" + id)).then().statusCode(200).body("externalKey", equalTo("mautic:form_on_submit:" + (20_001 + seq)));
        PmsApp.loggedIn().get(app.uri("/api/issues/999999999")).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void apiListsReceivedEventsWithTheirRawJson() {
        int seq = SEQ.addAndGet(10);
        mautic().sendImmediate(SampleEvents.of("mautic.sms_on_send", seq, 1));
        PmsApp.loggedIn().get(app.uri("/api/events?size=1")).then().statusCode(200).body("content", hasSize(1))
                .body("content[0].type", equalTo("mautic.sms_on_send")).body("content[0].sender", equalTo("mautic"))
                .body("content[0].issueId", equalTo(null));
        String raw = PmsApp.loggedIn().get(app.uri("/api/events?size=1")).then().extract().jsonPath().getString("content[0].rawJson");
        assertThat(raw).contains("\"smsId\"").contains("\"timestamp\"");
    }

    @Test
    void pageListsIssuesWithTheirTextEscaped() {
        int seq = SEQ.addAndGet(10);
        mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1));
        String page = PmsApp.loggedIn().get(app.uri("/")).then().statusCode(200).contentType("text/html").extract().asString();
        assertThat(page).contains("mautic.form_on_submit").doesNotContain("<b>Oui</b>").contains("&lt;b&gt;Oui&lt;/b&gt;");
        assertThat(page).contains("http-equiv=\"refresh\"");
    }

    @Test
    void deliveriesPageSaysTheInboxIsOffInDirectModeAndTheNavigationBarLeadsThere() {
        PmsApp.loggedIn().get(app.uri("/deliveries")).then().statusCode(200).body(org.hamcrest.Matchers.containsString("The inbox is off"));
        PmsApp.loggedIn().get(app.uri("/deliveries/replay?key=mautic:form_on_submit:1")).then().statusCode(404);
        PmsApp.loggedIn().get(app.uri("/deliveries/details?key=mautic:form_on_submit:1")).then().statusCode(404);
        PmsApp.loggedIn().get(app.uri("/deliveries/replay-dead")).then().statusCode(404);
        String index = PmsApp.loggedIn().get(app.uri("/")).then().statusCode(200).extract().asString();
        assertThat(index).contains("id=\"nav-deliveries\" href=\"/deliveries\"").doesNotContain("id=\"inbox-deliveries\"");
    }
}
