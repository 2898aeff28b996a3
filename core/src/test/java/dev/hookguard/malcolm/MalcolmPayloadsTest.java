package dev.hookguard.malcolm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.testsupport.JsonSpans;
import dev.hookguard.testsupport.TestResources;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class MalcolmPayloadsTest {

    private static WorkflowSession parse(String json) {
        return MalcolmPayloads.parse(json.getBytes(StandardCharsets.UTF_8), "inst123456");
    }

    /** The fields every real session has, then {@code more} (which may override them: the last of a name wins). */
    static String session(String id, String more) {
        return "{\"id\":\"" + id + "\",\"label\":\"Completed\",\"started-at\":\"2024-03-01T09:00:00+00:00\","
                + "\"completed-at\":\"2024-03-01T09:05:00+00:00\",\"workflow\":{\"id\":\"w1\"}"
                + (more.isEmpty() ? "" : "," + more) + "}";
    }

    @Test
    void vendorExampleParsesWithEveryAttribute() {
        WorkflowSession session = MalcolmPayloads.parse(TestResources.bytes("fixtures/malcolm/session-example.json"), "xxxxxxxxxx");

        assertThat(session.instanceId()).contains("xxxxxxxxxx");
        assertThat(session.id()).isEqualTo("xxxxxxxxxx");
        assertThat(session.label()).isEqualTo("Completed by Tom Jordan");
        assertThat(session.description()).contains("Workflow \"Open Support Ticket\" was completed by Tom Jordan.");
        assertThat(session.text()).isEqualTo(session.description());
        assertThat(session.locale()).contains("en-GB");
        assertThat(session.startedAt()).isEqualTo(OffsetDateTime.parse("2020-04-01T12:00:00+00:00"));
        assertThat(session.completedAt()).isEqualTo(OffsetDateTime.parse("2020-04-01T12:05:00+00:00"));
        assertThat(session.workflow().id()).isEqualTo("xxxxxxxxxx");
        assertThat(session.workflow().name()).contains("Open Support Ticket");
        assertThat(session.workflow().publishedAt()).contains(OffsetDateTime.parse("2020-04-01T09:00:00+00:00"));
        assertThat(session.workflow().version()).contains("Version 1");
        assertThat(session.values()).hasValueSatisfying(values -> assertThat(values).hasSize(2));
        Value email = session.values().get().get(1);
        assertThat(email.field().flatMap(Field::name)).contains("Your email address");
        assertThat(email.field().flatMap(Field::queryName)).contains("email");
        assertThat(email.asText()).contains(TestResources.json("fixtures/malcolm/session-example.json").at("/values/1/value").asText());
        assertThat(TestResources.tree(session.raw()).get("locale").asText()).isEqualTo("en-GB");
        byte[] body = TestResources.bytes("fixtures/malcolm/session-example.json");
        assertThat(session.raw().json()).isEqualTo(JsonSpans.text(body, ""));
        assertThat(session.workflow().raw().json()).isEqualTo(JsonSpans.text(body, "/workflow"));
        assertThat(email.raw().json()).isEqualTo(JsonSpans.text(body, "/values/1"));
        assertThat(email.value().json()).isEqualTo(JsonSpans.text(body, "/values/1/value"));
        assertThat(email.field().orElseThrow().raw().json()).isEqualTo(JsonSpans.text(body, "/values/1/field"));
    }

    @Test
    void valuesAreFoundByQueryNameOrFieldName() {
        WorkflowSession session = MalcolmPayloads.parse(TestResources.bytes("fixtures/malcolm/session-example.json"), null);
        assertThat(session.value("name").flatMap(Value::asText)).contains("Tom Jordan");
        assertThat(session.value("Your name").flatMap(Value::asText)).contains("Tom Jordan");
        assertThat(session.value("phone")).isEmpty();
    }

    @Test
    void absentValuesAreNotTheSameAsEmptyValues() {
        assertThat(parse(session("s1", "")).values()).isEmpty();
        assertThat(parse(session("s1", "\"values\":[]")).values()).hasValue(List.of());
    }

    @Test
    void mixedValuesKeepTheirJsonTypeBehindTypedAccessors() {
        WorkflowSession s = parse(session("s1", "\"values\":["
                + "{\"id\":\"v1\",\"field\":{\"id\":\"f1\",\"name\":\"Age\",\"query-name\":\"age\"},\"value\":42},"
                + "{\"id\":\"v2\",\"field\":{\"id\":\"f2\",\"name\":\"Agree\"},\"value\":true},"
                + "{\"id\":\"v3\",\"field\":{\"id\":\"f3\",\"name\":\"Topics\",\"query-name\":\"topics\"},\"value\":[\"a\",\"b\"]},"
                + "{\"id\":\"v4\",\"field\":{\"id\":\"f4\",\"name\":\"Ratio\"},\"value\":2.5},"
                + "{\"id\":\"v5\",\"field\":{\"id\":\"f5\",\"name\":\"Nothing\"},\"value\":null},"
                + "{\"id\":\"v6\",\"field\":{\"id\":\"f6\",\"name\":\"Zip\"},\"value\":\"01234\"}]"));
        assertThat(s.value("age").flatMap(Value::asLong)).contains(42L);
        assertThat(s.value("age").flatMap(Value::asBoolean)).isEmpty();
        assertThat(s.value("Agree").flatMap(Value::asBoolean)).contains(true);
        assertThat(s.value("topics").map(Value::asTextList)).contains(List.of("a", "b"));
        assertThat(s.value("topics").flatMap(Value::asText)).isEmpty();
        assertThat(s.value("Ratio").flatMap(Value::asDouble)).contains(2.5);
        assertThat(s.value("Nothing").map(Value::isNull)).contains(true);
        assertThat(s.value("Zip").flatMap(Value::asText)).contains("01234");
        assertThat(s.value("Agree").get().field().flatMap(Field::queryName)).isEmpty();
    }

    @Test
    void instanceIdComesFromTheHeaderButNeverKeysTheSession() {
        WorkflowSession s = parse(session("sess-1", ""));
        assertThat(s.instanceId()).contains("inst123456");
        assertThat(s.idempotencyKey()).isEqualTo("malcolm:sess-1");
        WorkflowSession withoutHeader = MalcolmPayloads.parse(session("sess-1", "").getBytes(StandardCharsets.UTF_8), null);
        assertThat(withoutHeader.instanceId()).isEmpty();
        // The header is not signed: another value must not make the same session a new delivery.
        assertThat(withoutHeader.idempotencyKey()).isEqualTo(s.idempotencyKey());
        assertThat(MalcolmPayloads.parse(session("sess-1", "").getBytes(StandardCharsets.UTF_8), "other00000").idempotencyKey())
                .isEqualTo(s.idempotencyKey());
    }

    @Test
    void aSessionWithoutWhatEveryRealSessionHasIsRefusedWithAPointer() {
        assertThatThrownBy(() -> parse("{\"id\":42}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/label"));
        assertThatThrownBy(() -> parse("{\"id\":\"s\",\"label\":\"x\"}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/started-at"));
        assertThatThrownBy(() -> parse("{\"id\":\"s\",\"label\":\"x\",\"started-at\":\"2024-03-01T09:00:00Z\"}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/completed-at"));
        assertThatThrownBy(() -> parse("{\"id\":\"s\",\"label\":\"x\",\"started-at\":\"2024-03-01T09:00:00Z\","
                + "\"completed-at\":\"2024-03-01T09:00:00Z\"}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/workflow"));
        assertThatThrownBy(() -> parse(session("s", "\"workflow\":{\"name\":\"no id\"}")))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/workflow/id"));
    }

    @Test
    void whatASessionMayLackIsOptionalNeverNull() {
        WorkflowSession s = parse(session("s", "\"values\":[{\"value\":1}]"));
        assertThat(s.description()).isEmpty();
        assertThat(s.text()).isEmpty();
        assertThat(s.locale()).isEmpty();
        assertThat(s.workflow().name()).isEmpty();
        assertThat(s.workflow().publishedAt()).isEmpty();
        assertThat(s.workflow().version()).isEmpty();
        Value value = s.values().orElseThrow().get(0);
        assertThat(value.id()).isEmpty();
        assertThat(value.field()).isEmpty();
        assertThat(value.asLong()).contains(1L);
    }

    @Test
    void offsetsOfDatesAreKept() {
        WorkflowSession s = parse(session("s", "\"completed-at\":\"2024-03-01T10:00:00+02:00\""));
        assertThat(s.completedAt().getOffset().getTotalSeconds()).isEqualTo(7200);
    }

    @Test
    void sessionWithoutIdIsNotAMalcolmPayload() {
        assertThatThrownBy(() -> parse("{\"label\":\"x\"}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/id"));
    }

    @Test
    void aMauticBodyIsNotAMalcolmPayload() {
        assertThatThrownBy(() -> MalcolmPayloads.parse(TestResources.bytes("fixtures/mautic/lead_post_save_new.json"), null))
                .isInstanceOf(PayloadParseException.class);
        assertThatThrownBy(() -> parse("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1}}]}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/id"));
    }

    @Test
    void wrongTypesAreReportedWithAPointerAndWithoutTheValue() {
        assertThatThrownBy(() -> parse(session("s", "\"started-at\":\"yesterday-secret\"")))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> {
                    assertThat(e.pointer()).isEqualTo("/started-at");
                    assertThat(e.getMessage()).doesNotContain("yesterday-secret");
                });
        assertThatThrownBy(() -> parse(session("s", "\"values\":{\"a\":1}")))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/values"));
        assertThatThrownBy(() -> parse(session("s", "\"values\":[\"oops\"]")))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/values/0"));
        assertThatThrownBy(() -> parse(session("s", "\"workflow\":{\"id\":\"w\",\"published-at\":5}")))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/workflow/published-at"));
        assertThatThrownBy(() -> parse("{\"id\":{\"nested\":true}}"))
                .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo("/id"));
    }
}
