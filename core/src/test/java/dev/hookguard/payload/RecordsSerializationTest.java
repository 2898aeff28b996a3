package dev.hookguard.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.hookguard.malcolm.Field;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.Value;
import dev.hookguard.malcolm.Workflow;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.Company;
import dev.hookguard.mautic.CompanyDeleted;
import dev.hookguard.mautic.CompanySaved;
import dev.hookguard.mautic.Contact;
import dev.hookguard.mautic.ContactChannelSubscriptionChanged;
import dev.hookguard.mautic.ContactCompanyChanged;
import dev.hookguard.mautic.ContactDeleted;
import dev.hookguard.mautic.ContactIdentified;
import dev.hookguard.mautic.ContactPointsChanged;
import dev.hookguard.mautic.ContactSegmentChanged;
import dev.hookguard.mautic.ContactUpdated;
import dev.hookguard.mautic.Email;
import dev.hookguard.mautic.EmailOpened;
import dev.hookguard.mautic.EmailSent;
import dev.hookguard.mautic.EmailStat;
import dev.hookguard.mautic.EventMeta;
import dev.hookguard.mautic.Form;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.Hit;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.mautic.Page;
import dev.hookguard.mautic.PageHit;
import dev.hookguard.mautic.PointsChange;
import dev.hookguard.mautic.Segment;
import dev.hookguard.mautic.Submission;
import dev.hookguard.mautic.TextMessageSent;
import dev.hookguard.mautic.UnknownEvent;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.testsupport.TestResources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Applications serialise the records they are handed (to log them, to queue them, to answer with them): every record
 * must come out of Jackson 2 (as Spring Boot 3 configures it) and Jackson 3 (defaults) as proper JSON. Checked against
 * the records themselves, component by component: no {@code raw} members, an Optional as its value or null, dates as
 * ISO 8601 text with their offsets, raw JSON written as the value it holds; and both Jacksons agree.
 */
class RecordsSerializationTest {

    /** Jackson 2 as Spring Boot 3.5 sets it up: the JDK 8 and java.time modules, dates as text. */
    private static final ObjectMapper JACKSON2 = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    /** Jackson 3 with its defaults (Optional and java.time built in, dates as text). */
    private static final tools.jackson.databind.ObjectMapper JACKSON3 = tools.jackson.databind.json.JsonMapper.builder().build();
    /** Reads what either wrote. */
    private static final ObjectMapper READER = new ObjectMapper();
    private static final String TS = "\"timestamp\":\"2024-10-24T15:54:35+00:00\"";
    private static final String[] FIXTURES = {"lead_post_save_new", "lead_post_save_update", "lead_points_change", "lead_post_delete",
        "lead_channel_subscription_changed", "email_on_open", "form_on_submit", "page_on_hit"};

    /** Every record class users get, with the classes the checks met (all of them must be met). */
    private static final Set<Class<?>> USER_TYPES = Set.of(MauticBatch.class, EventMeta.class,
            ContactIdentified.class, ContactUpdated.class, ContactPointsChanged.class, ContactDeleted.class,
            ContactChannelSubscriptionChanged.class, ContactCompanyChanged.class, CompanySaved.class, CompanyDeleted.class,
            ContactSegmentChanged.class, EmailSent.class, EmailOpened.class, FormSubmitted.class, PageHit.class,
            TextMessageSent.class, UnknownEvent.class, Contact.class, Company.class, Email.class, EmailStat.class, Form.class,
            Hit.class, Page.class, PointsChange.class, Segment.class, Submission.class,
            WorkflowSession.class, Workflow.class, Value.class, Field.class);
    private static final Set<Class<?>> MET = new HashSet<>();

    @BeforeAll
    static void allRecordsArePublicApi() {
        assertThat(USER_TYPES).allSatisfy(type -> assertThat(type.isRecord() || type == EventMeta.class).as(type.getName()).isTrue());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String fixture(String name) {
        return new String(TestResources.bytes("fixtures/mautic/" + name + ".json"), StandardCharsets.UTF_8).strip();
    }

    /** A real delivery of all eight fixtures: arrays as they are, single objects wrapped as Mautic does. */
    private static MauticBatch fixturesAsDelivery() {
        StringBuilder body = new StringBuilder("{");
        for (String name : FIXTURES) {
            String json = fixture(name);
            if (json.startsWith("{")) {
                json = "[" + json.substring(0, json.length() - 1) + "," + TS + "}]";
            }
            body.append(body.length() > 1 ? "," : "").append("\"mautic.").append(name).append("\":").append(json);
        }
        return MauticPayloads.parse(utf8(body.append('}').toString()));
    }

    /** "Send Test Payload" of all eight fixtures: the body's timestamp, objects in place of arrays. */
    private static MauticBatch fixturesAsTestPayload() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('{');
        for (String name : FIXTURES) {
            body.write(utf8("\"mautic." + name + "\":"));
            body.write(TestResources.bytes("fixtures/mautic/" + name + ".json"));
            body.write(',');
        }
        body.write(utf8("\"timestamp\":\"2024-10-24T17:54:35+02:00\"}"));
        return MauticPayloads.parse(body.toByteArray());
    }

    /** Types without a fixture, raw JSON members with escapes and odd number spellings, and an unknown type. */
    private static MauticBatch handWritten() {
        return MauticPayloads.parse(utf8("{\"mautic.form_on_submit\":["
                + "{\"submission\":{\"id\":3,\"ipAddress\":[],\"results\":{\"name\":\"Jos\\u00e9\",\"n\":1.50,\"multi\":[\"a\", \"\\u00f6\"],\"empty\":null,\"e/~\":1e3}},\"timestamp\":\"2024-10-24T15:54:37-06:00\"}],"
                + "\"mautic.lead_list_change\":[{\"contact\":{\"id\":9},\"segment\":{\"id\":4,\"name\":\"VIP\",\"alias\":\"vip\"},\"action\":\"added\"," + TS + "}],"
                + "\"mautic.email_on_send\":[{\"email\":{\"id\":1,\"subject\":\"Hi\"},\"contact\":{\"id\":9},\"idHash\":\"abc123\",\"subject\":\"Hi\",\"contentHash\":\"h\","
                + "\"source\":[\"campaign\", 3],\"headers\":{\"X-Tag\":\"a\\/b\"},\"tokens\":{\"{contactfield=firstname}\":\"Zo\\u00eb\",\"n\":2.50},\"content\":\"<p>\\u00e9</p>\"," + TS + "}],"
                + "\"mautic.sms_on_send\":[{\"smsId\":5,\"contact\":{\"id\":9},\"content\":\"Hello\"," + TS + "}],"
                + "\"mautic.lead_company_change\":[{\"added\":true,\"contact\":{\"id\":9},\"company\":{\"id\":12,\"fields\":{\"core\":{\"companyname\":{\"value\":\"ACME\"}}}}," + TS + "}],"
                + "\"mautic.company_post_save\":[{\"company\":{\"id\":12}," + TS + "}],"
                + "\"mautic.company_post_delete\":[{\"id\":12,\"company\":{\"id\":null}," + TS + "}],"
                + "\"mautic.lead_points_change\":[{\"contact\":{\"id\":7,\"points\":15,\"fields\":[]},\"points\":{\"old_points\":5,\"new_points\":15}," + TS + "}],"
                + "\"plugin.thing_happened\":[{\"thing\":{\"id\":1,\"url\":\"http:\\/\\/x\"}," + TS + "}],"
                + "\"mautic.lead_post_save_new\":[{\"contact\":{}}]}"));
    }

    /** What the reference sender writes for every one of the fourteen types. */
    private static MauticBatch sampleEvents() {
        return MauticPayloads.parse(MauticSender.queueBody(SampleEvents.mixed(28)));
    }

    private static List<MauticBatch> batches() throws IOException {
        return List.of(fixturesAsDelivery(), fixturesAsTestPayload(), handWritten(), sampleEvents());
    }

    private static List<WorkflowSession> sessions() {
        String mixed = "{\"id\":\"s1\",\"label\":\"Done \u00e9\",\"started-at\":\"2024-03-01T09:00:00+00:00\",\"completed-at\":\"2024-03-01T10:00:00+02:00\","
                + "\"workflow\":{\"id\":\"w1\"},\"values\":["
                + "{\"id\":\"v1\",\"field\":{\"id\":\"f1\",\"name\":\"Age\",\"query-name\":\"age\"},\"value\":42},"
                + "{\"id\":\"v2\",\"field\":{\"id\":\"f2\",\"name\":\"Agree\"},\"value\":true},"
                + "{\"id\":\"v3\",\"field\":{\"id\":\"f3\",\"name\":\"Topics\"},\"value\":[\"a\", \"\\u00f6\"]},"
                + "{\"id\":\"v4\",\"value\":2.50},"
                + "{\"id\":\"v5\",\"value\":null},"
                + "{\"id\":\"v6\"},"
                + "{\"value\":{\"nested\":\"\\u00e9\\\"\"}},"
                + "{\"value\":\"01234\"}]}";
        return List.of(
                MalcolmPayloads.parse(TestResources.bytes("fixtures/malcolm/session-example.json"), "xxxxxxxxxx"),
                MalcolmPayloads.parse(MalcolmSender.body(SampleEvents.malcolmSession(3, true)), null),
                MalcolmPayloads.parse(MalcolmSender.body(SampleEvents.malcolmSession(4, false)), "abcdefghij"),
                MalcolmPayloads.parse(utf8(mixed), null));
    }

    @Test
    void mauticBatchesAndEveryEventSerialiseWithJackson2AndJackson3() throws Exception {
        for (MauticBatch batch : batches()) {
            assertSerialisesProperly(batch);
            for (MauticEvent event : batch.events()) {
                assertSerialisesProperly(event);
                assertSerialisesProperly(event.meta());
            }
        }
    }

    @Test
    void workflowSessionsSerialiseWithJackson2AndJackson3() {
        for (WorkflowSession session : sessions()) {
            assertSerialisesProperly(session);
            session.values().orElse(List.of()).forEach(RecordsSerializationTest::assertSerialisesProperly);
        }
    }

    @Test
    void everyRecordTypeUsersGetIsCovered() throws Exception {
        MET.clear();
        mauticBatchesAndEveryEventSerialiseWithJackson2AndJackson3();
        workflowSessionsSerialiseWithJackson2AndJackson3();
        assertThat(MET).containsAll(USER_TYPES);
    }

    @Test
    void rawJsonSerialisesAsTheValueItHolds() throws Exception {
        // Each Jackson writes the value with its own escaping and spacing; decimals keep their digits.
        Map<String, String> written = new java.util.LinkedHashMap<>();
        written.put("\"\\u00e9\"", "\"\u00e9\"");
        written.put("1.50", "1.50");
        written.put("1e3", "1E+3");
        written.put("null", "null");
        written.put("true", "true");
        written.put("[1, {\"a\" : \"\\/\"}]", "[1,{\"a\":\"/\"}]");
        written.put("{}", "{}");
        for (Map.Entry<String, String> e : written.entrySet()) {
            RawJson raw = RawJson.of(e.getKey());
            String json = e.getValue();
            assertThat(JACKSON2.writeValueAsString(raw)).isEqualTo(json);
            assertThat(JACKSON3.writeValueAsString(raw)).isEqualTo(json);
            assertThat(JACKSON2.writeValueAsString(List.of(raw, raw))).isEqualTo("[" + json + "," + json + "]");
            assertThat(JACKSON3.writeValueAsString(Map.of("k", raw))).isEqualTo("{\"k\":" + json + "}");
            assertThat(JACKSON2.writeValueAsString(Optional.of(raw))).isEqualTo(json);
            assertThat(JACKSON3.writeValueAsString(Optional.of(raw))).isEqualTo(json);
        }
    }

    @Test
    void aSampleReadsAsExpected() throws Exception {
        // One record spelled out, so that the generic checks are known to look at the right things.
        FormSubmitted event = handWritten().first(FormSubmitted.class).orElseThrow();
        String expected = "{\"meta\":{\"type\":\"mautic.form_on_submit\",\"timestamp\":\"2024-10-24T15:54:37-06:00\",\"idempotencyKey\":\"mautic:form_on_submit:3\"},"
                + "\"submission\":{\"id\":3,\"form\":null,\"lead\":null,\"trackingId\":null,\"dateSubmitted\":null,\"referer\":null,"
                + "\"results\":{\"name\":\"Jos\u00e9\",\"n\":1.50,\"multi\":[\"a\",\"\u00f6\"],\"empty\":null,\"e/~\":1E+3}}}";
        assertThat(JACKSON2.writeValueAsString(event)).isEqualTo(expected);
        assertThat(READER.readTree(JACKSON3.writeValueAsString(event))).isEqualTo(READER.readTree(expected));
        assertThat(JACKSON3.writeValueAsString(event)).contains("\"results\":{\"name\":\"Jos\u00e9\",\"n\":1.50,\"multi\":[\"a\",\"\u00f6\"],\"empty\":null,\"e/~\":1E+3}");
    }

    /** Both Jacksons write {@code value} as the JSON of what it holds, and the same tree. */
    private static void assertSerialisesProperly(Object value) {
        byte[] two;
        byte[] three;
        try {
            two = JACKSON2.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new AssertionError("Jackson 2 cannot serialise " + value.getClass().getName(), e);
        }
        try {
            three = JACKSON3.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new AssertionError("Jackson 3 cannot serialise " + value.getClass().getName(), e);
        }
        JsonNode tree2 = read(two);
        JsonNode tree3 = read(three);
        assertMatches(value, tree2, two, "", "Jackson 2");
        assertMatches(value, tree3, three, "", "Jackson 3");
        assertThat(tree3).as("Jackson 3 as Jackson 2, for %s", value.getClass().getSimpleName()).isEqualTo(tree2);
    }

    private static JsonNode read(byte[] json) {
        try {
            return READER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(json, StandardCharsets.UTF_8), e);
        }
    }

    private static String child(String pointer, String name) {
        return pointer + "/" + name.replace("~", "~0").replace("/", "~1");
    }

    /** The JSON at {@code pointer} of {@code out} is exactly what {@code value} holds. */
    private static void assertMatches(Object value, JsonNode json, byte[] out, String pointer, String jackson) {
        String at = jackson + " at '" + pointer + "' (" + (value == null ? "null" : value.getClass().getSimpleName()) + ")";
        assertThat(json).as(at).isNotNull();
        if (value == null) {
            fail(at + ": a record component is null");
        }
        MET.add(value.getClass());
        if (value instanceof Optional<?> optional) {
            if (optional.isEmpty()) {
                assertThat(json.isNull()).as(at + " empty Optional as null, got " + json).isTrue();
            } else {
                assertMatches(optional.get(), json, out, pointer, jackson);
            }
        } else if (value instanceof RawJson raw) {
            // Written as the value it holds (each format escapes it), equal to reading the raw bytes.
            assertThat(json).as(at).isEqualTo(read(raw.toByteArray()));
        } else if (value instanceof OffsetDateTime time) {
            assertThat(json.isTextual()).as(at + " date as text, got " + json).isTrue();
            // Same instant and same offset.
            assertThat(OffsetDateTime.parse(json.textValue())).as(at).isEqualTo(time);
        } else if (value instanceof String text) {
            assertThat(json.isTextual()).as(at + " " + json).isTrue();
            assertThat(json.textValue()).as(at).isEqualTo(text);
        } else if (value instanceof Long || value instanceof Integer) {
            assertThat(json.isIntegralNumber()).as(at + " " + json).isTrue();
            assertThat(json.longValue()).as(at).isEqualTo(((Number) value).longValue());
        } else if (value instanceof Boolean bool) {
            assertThat(json.isBoolean()).as(at + " " + json).isTrue();
            assertThat(json.booleanValue()).as(at).isEqualTo(bool);
        } else if (value instanceof Map<?, ?> map) {
            assertThat(json.isObject()).as(at + " " + json).isTrue();
            List<String> names = new ArrayList<>();
            json.fieldNames().forEachRemaining(names::add);
            assertThat(names).as(at + " keys").containsExactlyElementsOf(map.keySet().stream().map(String.class::cast).toList());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String name = (String) entry.getKey();
                assertMatches(entry.getValue(), json.get(name), out, child(pointer, name), jackson);
            }
        } else if (value instanceof List<?> list) {
            assertThat(json.isArray()).as(at + " " + json).isTrue();
            assertThat(json.size()).as(at).isEqualTo(list.size());
            for (int i = 0; i < list.size(); i++) {
                assertMatches(list.get(i), json.get(i), out, pointer + "/" + i, jackson);
            }
        } else if (value instanceof EventMeta meta) {
            assertThat(json.isObject()).as(at + " " + json).isTrue();
            assertNoBeanDump(json, at);
            List<String> names = new ArrayList<>();
            json.fieldNames().forEachRemaining(names::add);
            assertThat(names).as(at + " members").containsExactly("type", "timestamp", "idempotencyKey");
            assertMatches(meta.type(), json.get("type"), out, child(pointer, "type"), jackson);
            assertMatches(meta.timestamp(), json.get("timestamp"), out, child(pointer, "timestamp"), jackson);
            assertMatches(meta.idempotencyKey(), json.get("idempotencyKey"), out, child(pointer, "idempotencyKey"), jackson);
        } else if (value.getClass().isRecord()) {
            assertThat(json.isObject()).as(at + " " + json).isTrue();
            assertNoBeanDump(json, at);
            List<RecordComponent> components = Arrays.stream(value.getClass().getRecordComponents())
                    .filter(c -> !c.getName().equals("raw")).toList();
            List<String> names = new ArrayList<>();
            json.fieldNames().forEachRemaining(names::add);
            // Exactly the components, raw left out: no bean properties of helper methods, nothing else.
            assertThat(names).as(at + " members").containsExactlyInAnyOrderElementsOf(components.stream().map(RecordComponent::getName).toList());
            for (RecordComponent component : components) {
                Object componentValue;
                try {
                    componentValue = component.getAccessor().invoke(value);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
                assertMatches(componentValue, json.get(component.getName()), out, child(pointer, component.getName()), jackson);
            }
        } else {
            fail(at + ": no check for " + value.getClass().getName());
        }
    }

    /** What a bean serialiser makes of a JSON tree or an Optional without its module. */
    private static void assertNoBeanDump(JsonNode json, String at) {
        if (json.isObject()) {
            for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                assertThat(name).as(at + " bean dump? " + json).isNotIn("raw", "array", "object", "valueNode", "containerNode", "nodeType", "present");
            }
        }
    }

    /**
     * A visitor's form text reaches the record's JSON as a value: written as XML (an application with
     * jackson-dataformat-xml), it must be escaped by the XML writer, not pasted in as raw text.
     */
    @Test
    void aSubmittedValueWithMarkupIsEscapedWhenTheRecordIsWrittenAsXml() throws Exception {
        byte[] body = ("{\"id\":\"s1\",\"label\":\"l\",\"started-at\":\"2024-01-01T00:00:00+00:00\","
                + "\"completed-at\":\"2024-01-01T00:00:01+00:00\",\"workflow\":{\"id\":\"w\"},"
                + "\"values\":[{\"id\":\"v\",\"value\":\"</value><injected>1</injected>\"}]}").getBytes(StandardCharsets.UTF_8);
        dev.hookguard.malcolm.Value value = dev.hookguard.malcolm.MalcolmPayloads.parse(body, null).values().orElseThrow().get(0);
        com.fasterxml.jackson.dataformat.xml.XmlMapper xml = com.fasterxml.jackson.dataformat.xml.XmlMapper.builder()
                .addModule(new Jdk8Module()).addModule(new JavaTimeModule()).build();
        String out = xml.writeValueAsString(value);
        assertThat(out).as(out).doesNotContain("<injected>");
        assertThat(xml.readTree(out).get("value").asText()).isEqualTo("</value><injected>1</injected>");
    }
}
