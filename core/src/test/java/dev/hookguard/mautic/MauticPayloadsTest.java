package dev.hookguard.mautic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.payload.RawJson;
import dev.hookguard.testsupport.JsonSpans;
import dev.hookguard.testsupport.TestResources;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MauticPayloadsTest {

    private static final String TS = "\"timestamp\":\"2024-10-24T15:54:35+00:00\"";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The body of a real delivery of one fixture: arrays as they are, single objects wrapped as Mautic does. */
    private static byte[] deliveryBody(String type, String fixture) {
        String json = new String(TestResources.bytes("fixtures/mautic/" + fixture + ".json"), StandardCharsets.UTF_8).strip();
        if (json.startsWith("{")) {
            json = "[" + json.substring(0, json.length() - 1) + "," + TS + "}]";
        }
        return utf8("{\"" + type + "\":" + json + "}");
    }

    private static MauticBatch delivery(String type, String fixture) {
        return MauticPayloads.parse(deliveryBody(type, fixture));
    }

    /** Raw JSON must be the exact bytes of the element at {@code pointer} in {@code body}: escapes and whitespace kept. */
    private static void assertExactly(RawJson raw, byte[] body, String pointer) {
        assertThat(raw.json()).isEqualTo(JsonSpans.text(body, pointer));
        assertThat(raw.toByteArray()).isEqualTo(JsonSpans.bytes(body, pointer));
    }

    @Test
    void formSubmissionFixtureParsesWithItsValues() {
        byte[] body = deliveryBody(FormSubmitted.TYPE, "form_on_submit");
        FormSubmitted event = (FormSubmitted) MauticPayloads.parse(body).events().get(0);
        Submission s = event.submission();
        assertThat(event.type()).isEqualTo("mautic.form_on_submit");
        assertThat(event.timestamp()).hasValue(OffsetDateTime.parse("2024-10-24T15:54:35+00:00"));
        assertThat(s.id()).hasValue(13L);
        Form form = s.form().orElseThrow();
        assertThat(form.id()).hasValue(4L);
        assertThat(form.name()).hasValue("lead points");
        assertThat(form.alias()).hasValue("leadpoints");
        Contact lead = s.lead().orElseThrow();
        assertThat(lead.id()).hasValue(26L);
        assertThat(lead.points()).hasValue(10);
        assertThat(lead.email()).contains("email@formsubmit.com");
        assertThat(s.trackingId()).hasValue("dd4adafdabe75184bc206037a15d9f840adb5ec0");
        assertThat(s.dateSubmitted()).hasValue(OffsetDateTime.parse("2015-08-26T01:30:34+00:00"));
        assertThat(s.referer()).hasValue("http://mautic-gh.com/s/forms/preview/4");
        assertThat(s.result("email")).contains("email@formsubmit.com");
        assertThat(s.results()).containsOnlyKeys("email");
        assertThat(s.results().get("email")).isEqualTo(RawJson.of(JsonSpans.text(body, "/mautic.form_on_submit/0/submission/results/email")));
        assertThat(TestResources.tree(s.raw()).get("ipAddress").isObject()).isTrue();
        assertExactly(s.raw(), body, "/mautic.form_on_submit/0/submission");
        assertExactly(form.raw(), body, "/mautic.form_on_submit/0/submission/form");
        assertExactly(lead.raw(), body, "/mautic.form_on_submit/0/submission/lead");
        assertExactly(event.raw(), body, "/mautic.form_on_submit/0");
        assertExactly(event.meta().raw(), body, "/mautic.form_on_submit/0");
        assertThat(event.idempotencyKey()).isEqualTo("mautic:form_on_submit:13");
    }

    @Test
    void emailOpenFixtureParsesWithItsValues() {
        byte[] body = deliveryBody(EmailOpened.TYPE, "email_on_open");
        EmailOpened event = (EmailOpened) MauticPayloads.parse(body).events().get(0);
        EmailStat stat = event.stat();
        assertThat(stat.id()).hasValue(8L);
        assertThat(stat.emailAddress()).hasValue("test@test.com");
        assertThat(stat.dateSent()).hasValue(OffsetDateTime.parse("2015-08-26T01:34:37+00:00"));
        assertThat(stat.dateRead()).hasValue(OffsetDateTime.parse("2015-08-26T01:35:53+00:00"));
        assertThat(stat.isRead()).hasValue(true);
        assertThat(stat.openCount()).hasValue(1);
        assertThat(stat.trackingHash()).hasValue("55dd17adace91");
        Email email = stat.email().orElseThrow();
        assertThat(email.id()).hasValue(5L);
        assertThat(email.subject()).hasValue("Email");
        assertThat(stat.lead().orElseThrow().id()).hasValue(26L);
        assertThat(stat.lead().orElseThrow().email()).contains("test@test.com");
        assertExactly(stat.raw(), body, "/mautic.email_on_open/0/stat");
        assertExactly(email.raw(), body, "/mautic.email_on_open/0/stat/email");
        assertThat(event.idempotencyKey()).isEqualTo("mautic:email_on_open:8");
    }

    @Test
    void pageHitFixtureParsesWithItsValues() {
        byte[] body = deliveryBody(PageHit.TYPE, "page_on_hit");
        PageHit event = (PageHit) MauticPayloads.parse(body).events().get(0);
        Hit hit = event.hit();
        assertThat(hit.id()).isEmpty();
        assertThat(hit.dateHit()).hasValue(OffsetDateTime.parse("2015-08-26T01:32:39+00:00"));
        Page page = hit.page().orElseThrow();
        assertThat(page.id()).hasValue(1L);
        assertThat(page.title()).hasValue("PageHit");
        assertThat(hit.url()).hasValue("http://mautic-gh.com/pagehit");
        assertThat(hit.lead().orElseThrow().id()).hasValue(26L);
        assertThat(TestResources.tree(hit.raw()).get("browserLanguages").size()).isEqualTo(2);
        assertExactly(hit.raw(), body, "/mautic.page_on_hit/0/hit");
        assertExactly(page.raw(), body, "/mautic.page_on_hit/0/hit/page");
        // The sample has no hit id: the key falls back to a hash of the event's bytes.
        assertThat(event.idempotencyKey()).startsWith("mautic:page_on_hit:sha256:").hasSize("mautic:page_on_hit:sha256:".length() + 64);
    }

    @Test
    void contactIdentifiedFixtureParsesWithItsValues() {
        byte[] body = deliveryBody(ContactIdentified.TYPE, "lead_post_save_new");
        ContactIdentified event = (ContactIdentified) MauticPayloads.parse(body).events().get(0);
        assertThat(event.timestamp()).hasValue(OffsetDateTime.parse("2017-06-19T09:31:18+00:00"));
        Contact c = event.contact().orElseThrow();
        assertThat(c.id()).hasValue(52L);
        assertThat(c.points()).hasValue(0);
        assertThat(c.dateAdded()).hasValue(OffsetDateTime.parse("2017-06-19T09:31:18+00:00"));
        assertThat(c.dateModified()).isEmpty();
        assertExactly(c.raw(), body, "/mautic.lead_post_save_new/0/contact");
        assertThat(c.email()).contains("john@doe.name");
        assertThat(c.field("firstname")).contains("John");
        assertThat(c.field("timezone1")).contains("Europe/Prague");
        assertThat(c.field("multiselect")).contains("php|js");
        assertThat(c.field("nope")).isEmpty();
        assertThat(c.name()).contains("John Doe");
        assertThat(c.fields()).containsEntry("lastname", "Doe");
    }

    @Test
    void contactUpdatedFixtureParsesWithItsValues() {
        ContactUpdated event = (ContactUpdated) delivery(ContactUpdated.TYPE, "lead_post_save_update").events().get(0);
        Contact contact = event.contact().orElseThrow();
        assertThat(contact.dateModified()).hasValue(OffsetDateTime.parse("2017-06-19T09:32:24+00:00"));
        assertThat(contact.dateIdentified()).hasValue(OffsetDateTime.parse("2017-06-19T09:31:18+00:00"));
        assertThat(contact.field("company")).contains("Mautic");
        assertThat(event.timestamp()).hasValue(OffsetDateTime.parse("2017-06-19T09:32:24+00:00"));
    }

    @Test
    void pointsChangeFixtureParsesAndToleratesItsMissingPoints() {
        ContactPointsChanged event = (ContactPointsChanged) delivery(ContactPointsChanged.TYPE, "lead_points_change").events().get(0);
        assertThat(event.contact().orElseThrow().points()).hasValue(5);
        assertThat(event.points()).isEmpty();
        assertThat(event.contact().orElseThrow().field("mobile")).contains("333444555");
    }

    @Test
    void realPointsChangeCarriesOldAndNewPoints() {
        MauticBatch batch = MauticPayloads.parse(utf8("{\"mautic.lead_points_change\":[{\"contact\":{\"id\":7,\"points\":15,\"fields\":[]},"
                + "\"points\":{\"old_points\":5,\"new_points\":15}," + TS + "}]}"));
        ContactPointsChanged event = batch.first(ContactPointsChanged.class).orElseThrow();
        assertThat(event.points()).hasValue(new PointsChange(Optional.of(5), Optional.of(15)));
        assertThat(event.contact().orElseThrow().fields()).isEmpty();
    }

    @Test
    void contactDeleteFixtureParsesWithItsValues() {
        ContactDeleted event = (ContactDeleted) delivery(ContactDeleted.TYPE, "lead_post_delete").events().get(0);
        assertThat(event.id()).hasValue(52L);
        assertThat(event.contact().orElseThrow().id()).isEmpty();
        assertThat(event.contact().orElseThrow().email()).contains("john@doe.name");
        assertThat(event.idempotencyKey()).isEqualTo("mautic:lead_post_delete:52");
    }

    @Test
    void channelSubscriptionFixtureKeepsItsNonUtcOffset() {
        ContactChannelSubscriptionChanged event = (ContactChannelSubscriptionChanged)
                delivery(ContactChannelSubscriptionChanged.TYPE, "lead_channel_subscription_changed").events().get(0);
        assertThat(event.channel()).hasValue("email");
        assertThat(event.oldStatus()).hasValue("contactable");
        assertThat(event.newStatus()).hasValue("manual");
        assertThat(event.contact().orElseThrow().id()).hasValue(38186L);
        assertThat(event.contact().orElseThrow().email()).contains("Test@email.com");
        assertThat(event.timestamp().orElseThrow().getOffset()).isEqualTo(ZoneOffset.ofHours(-6));
        assertThat(event.timestamp().orElseThrow().toInstant()).isEqualTo(OffsetDateTime.parse("2017-12-01T06:05:18Z").toInstant());
    }

    @Test
    void sendTestPayloadOfAllEightSampleFilesParses() throws Exception {
        String[][] files = {
            {"mautic.lead_post_save_new", "lead_post_save_new"}, {"mautic.lead_post_save_update", "lead_post_save_update"},
            {"mautic.lead_points_change", "lead_points_change"}, {"mautic.lead_post_delete", "lead_post_delete"},
            {"mautic.lead_channel_subscription_changed", "lead_channel_subscription_changed"},
            {"mautic.email_on_open", "email_on_open"}, {"mautic.form_on_submit", "form_on_submit"}, {"mautic.page_on_hit", "page_on_hit"}};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('{');
        for (String[] f : files) {
            body.write(utf8("\"" + f[0] + "\":"));
            body.write(TestResources.bytes("fixtures/mautic/" + f[1] + ".json"));
            body.write(',');
        }
        body.write(utf8("\"timestamp\":\"2024-10-24T17:54:35+02:00\"}"));

        MauticBatch batch = MauticPayloads.parse(body.toByteArray());

        assertThat(batch.isTestPayload()).isTrue();
        assertThat(batch.testTimestamp()).hasValue(OffsetDateTime.parse("2024-10-24T17:54:35+02:00"));
        assertThat(batch.events()).extracting(MauticEvent::type).containsExactly(
                java.util.Arrays.stream(files).map(f -> f[0]).toArray(String[]::new));
        // Objects without their own timestamp take the body's; lead samples keep their own.
        assertThat(batch.first(FormSubmitted.class).orElseThrow().timestamp()).isEqualTo(batch.testTimestamp());
        assertThat(batch.first(ContactIdentified.class).orElseThrow().timestamp()).hasValue(OffsetDateTime.parse("2017-06-19T09:31:18+00:00"));
        assertThat(batch.events()).allSatisfy(e -> assertThat(e.idempotencyKey()).startsWith("mautic-test:"));
        assertThat(TestResources.tree(batch.raw()).get("timestamp").asText()).isEqualTo("2024-10-24T17:54:35+02:00");
        assertThat(batch.raw().toByteArray()).isEqualTo(body.toByteArray());
        // A single object in place of an array is the event itself.
        assertExactly(batch.first(FormSubmitted.class).orElseThrow().raw(), body.toByteArray(), "/mautic.form_on_submit");
    }

    @Test
    void testPayloadWithNoTypeCheckedIsAnEmptyBatch() {
        MauticBatch batch = MauticPayloads.parse(utf8("{" + TS + "}"));
        assertThat(batch.isTestPayload()).isTrue();
        assertThat(batch.events()).isEmpty();
    }

    @Test
    void queueModeBatchKeepsBodyOrderAcrossMixedTypes() {
        String body = "{\"mautic.form_on_submit\":["
                + "{\"submission\":{\"id\":3,\"ipAddress\":[],\"results\":{\"name\":\"Jos\\u00e9\"}},\"timestamp\":\"2024-10-24T15:54:37+00:00\"},"
                + "{\"submission\":{\"id\":2,\"ipAddress\":[],\"results\":[]},\"timestamp\":\"2024-10-24T15:54:36+00:00\"}],"
                + "\"mautic.lead_list_change\":[{\"contact\":{\"id\":9},\"segment\":{\"id\":4,\"name\":\"VIP\",\"alias\":\"vip\"},\"action\":\"added\",\"timestamp\":\"2024-10-24T15:54:35+00:00\"}],"
                + "\"mautic.email_on_send\":[{\"email\":{\"id\":1,\"subject\":\"Hi\"},\"contact\":{\"id\":9},\"idHash\":\"abc123\",\"subject\":\"Hi\",\"contentHash\":\"h\",\"source\":[\"campaign\",3],\"headers\":[],\"timestamp\":\"2024-10-24T15:54:34+00:00\"}],"
                + "\"mautic.sms_on_send\":[{\"smsId\":5,\"contact\":{\"id\":9},\"content\":\"Hello\",\"timestamp\":\"2024-10-24T15:54:33+00:00\"}],"
                + "\"mautic.lead_company_change\":[{\"added\":true,\"contact\":{\"id\":9},\"company\":{\"id\":12,\"fields\":{\"core\":{\"companyname\":{\"value\":\"ACME\"}}}},\"timestamp\":\"2024-10-24T15:54:32+00:00\"}],"
                + "\"mautic.company_post_save\":[{\"company\":{\"id\":12},\"timestamp\":\"2024-10-24T15:54:31+00:00\"}],"
                + "\"mautic.company_post_delete\":[{\"id\":12,\"company\":{\"id\":null},\"timestamp\":\"2024-10-24T15:54:30+00:00\"}]}";
        MauticBatch batch = MauticPayloads.parse(utf8(body));

        assertThat(batch.isTestPayload()).isFalse();
        assertThat(batch.size()).isEqualTo(8);
        assertThat(batch.eventsOf(FormSubmitted.class)).extracting(e -> e.submission().id()).containsExactly(Optional.of(3L), Optional.of(2L));
        assertThat(batch.eventsOf(FormSubmitted.class).get(0).submission().result("name")).contains("Jos\u00e9");
        // The result as sent: the escape stays an escape.
        assertThat(batch.eventsOf(FormSubmitted.class).get(0).submission().results().get("name").json()).isEqualTo("\"Jos\\u00e9\"");
        assertThat(batch.eventsOf(FormSubmitted.class).get(1).submission().results()).isEmpty();
        ContactSegmentChanged segment = batch.first(ContactSegmentChanged.class).orElseThrow();
        assertThat(segment.segment().orElseThrow().name()).hasValue("VIP");
        assertThat(segment.action()).hasValue("added");
        EmailSent sent = batch.first(EmailSent.class).orElseThrow();
        assertThat(sent.idHash()).hasValue("abc123");
        assertThat(sent.email().orElseThrow().subject()).hasValue("Hi");
        assertThat(sent.content()).isEmpty();
        assertThat(sent.source().map(RawJson::json)).hasValue("[\"campaign\",3]");
        assertThat(sent.headers().map(RawJson::json)).hasValue("[]");
        assertThat(sent.tokens()).isEmpty();
        assertThat(sent.idempotencyKey()).isEqualTo("mautic:email_on_send:abc123");
        TextMessageSent sms = batch.first(TextMessageSent.class).orElseThrow();
        assertThat(sms.smsId()).hasValue(5L);
        assertThat(sms.content()).hasValue("Hello");
        ContactCompanyChanged companyChange = batch.first(ContactCompanyChanged.class).orElseThrow();
        assertThat(companyChange.added()).hasValue(true);
        assertThat(companyChange.company().orElseThrow().name()).contains("ACME");
        assertThat(batch.first(CompanySaved.class).orElseThrow().company().orElseThrow().id()).hasValue(12L);
        assertThat(batch.first(CompanyDeleted.class).orElseThrow().id()).hasValue(12L);
        assertThat(batch.first(CompanyDeleted.class).orElseThrow().company().orElseThrow().id()).isEmpty();
        assertThat(batch.events()).extracting(e -> e.timestamp().orElseThrow().getSecond())
                .containsExactly(37, 36, 35, 34, 33, 32, 31, 30);
        assertThat(batch.raw().json()).isEqualTo(body);
    }

    @Test
    void everyOneOfTheFourteenTypesHasItsOwnRecord() {
        Set<String> expected = Set.of("mautic.lead_post_save_new", "mautic.lead_post_save_update", "mautic.lead_points_change",
                "mautic.lead_post_delete", "mautic.lead_channel_subscription_changed", "mautic.lead_company_change",
                "mautic.company_post_save", "mautic.company_post_delete", "mautic.lead_list_change", "mautic.email_on_send",
                "mautic.email_on_open", "mautic.form_on_submit", "mautic.page_on_hit", "mautic.sms_on_send");
        assertThat(EventFactory.BY_TYPE.keySet()).isEqualTo(expected);
        Set<Class<?>> records = expected.stream()
                .map(type -> MauticPayloads.parse(utf8("{\"" + type + "\":[{\"submission\":{},\"stat\":{},\"hit\":{}," + TS + "}]}")).events().get(0).getClass())
                .collect(Collectors.toSet());
        assertThat(records).hasSize(14).doesNotContain(UnknownEvent.class);
    }

    @Test
    void unknownTypesKeepTheirRawJson() {
        MauticBatch batch = MauticPayloads.parse(utf8("{\"plugin.thing_happened\":[{\"thing\":{\"id\":1,\"url\":\"http:\\/\\/x\"}," + TS + "}]}"));
        MauticEvent event = batch.events().get(0);
        assertThat(event).isInstanceOf(UnknownEvent.class);
        assertThat(event.type()).isEqualTo("plugin.thing_happened");
        assertThat(TestResources.tree(event.raw()).at("/thing/url").asText()).isEqualTo("http://x");
        // The bytes as sent, PHP's escaped slashes included.
        assertThat(event.raw().json()).isEqualTo("{\"thing\":{\"id\":1,\"url\":\"http:\\/\\/x\"}," + TS + "}");
        assertThat(event.timestamp()).hasValue(OffsetDateTime.parse("2024-10-24T15:54:35+00:00"));
    }

    @Test
    void emptyArraysStandForEmptyObjects() {
        MauticBatch batch = MauticPayloads.parse(utf8("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1,\"form\":[],\"lead\":[],\"results\":[]}," + TS + "}]}"));
        Submission s = batch.first(FormSubmitted.class).orElseThrow().submission();
        assertThat(s.form()).hasValueSatisfying(form -> {
            assertThat(form.id()).isEmpty();
            assertThat(form.raw().json()).isEqualTo("[]");
        });
        assertThat(s.lead()).hasValueSatisfying(lead -> assertThat(lead.email()).isEmpty());
        assertThat(s.results()).isEmpty();
    }

    @Test
    void anIdOfZeroIsNoNaturalIdSoTwoSuchSubmissionsDoNotShareAKey() {
        String one = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":0,\"form\":{\"id\":1}}," + TS + "}]}";
        String two = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":0,\"form\":{\"id\":2}}," + TS + "}]}";
        String k1 = MauticPayloads.parse(utf8(one)).events().get(0).idempotencyKey();
        String k2 = MauticPayloads.parse(utf8(two)).events().get(0).idempotencyKey();
        assertThat(k1).startsWith("mautic:form_on_submit:sha256:").isNotEqualTo(k2);
        String textZero = "{\"mautic.email_on_send\":[{\"idHash\":\"0\"," + TS + "}]}";
        assertThat(MauticPayloads.parse(utf8(textZero)).events().get(0).idempotencyKey()).startsWith("mautic:email_on_send:sha256:");
    }

    @Test
    void fallbackKeyHashesTheEventsExactBytes() {
        String event = "{\"contact\":{\"id\":1,\"dateModified\":\"2024-01-01T00:00:00+00:00\"}," + TS + "}";
        String escaped = "{\"contact\":{\"id\":1,\"dateModified\":\"2024-01-01T00:00:00+00:00\"},\"timestamp\":\"2024-10-24T15:54:35+00:00\" }";
        String k1 = MauticPayloads.parse(utf8("{\"mautic.lead_post_save_update\":[" + event + "]}")).events().get(0).idempotencyKey();
        String k2 = MauticPayloads.parse(utf8("{\"mautic.lead_post_save_update\":[ " + event + " ]}")).events().get(0).idempotencyKey();
        String k3 = MauticPayloads.parse(utf8("{\"mautic.lead_post_save_update\":[" + escaped + "]}")).events().get(0).idempotencyKey();
        String k4 = MauticPayloads.parse(utf8("{\"mautic.lead_post_save_new\":[" + event + "]}")).events().get(0).idempotencyKey();
        assertThat(k1).isEqualTo(k2).startsWith("mautic:lead_post_save_update:sha256:");
        assertThat(k3).isNotEqualTo(k1);
        assertThat(k4).isNotEqualTo(k1);
    }

    @Test
    void fallbackKeyHashesExactlyTheEventsByteSpanInAMultiByteBatch() throws Exception {
        String first = "{\"contact\":{\"id\":1,\"firstname\":\"Zo\u00eb \u00d8degaard \ud83d\ude00\"}," + TS + "}";
        String second = "{ \"contact\" : {\"id\":2,\"lastname\":\"L\u00f6schen\"} ,\n " + TS + " }";
        String third = "{\"contact\":{\"id\":3}," + TS + "}";
        String body = "{\"mautic.lead_post_save_update\":[" + first + ", " + second + "],\n\"mautic.lead_post_save_new\":[" + third + "]}";
        List<MauticEvent> events = MauticPayloads.parse(utf8(body)).events();
        assertThat(events).extracting(MauticEvent::idempotencyKey).containsExactly(
                "mautic:lead_post_save_update:sha256:" + sha256("mautic.lead_post_save_update", first),
                "mautic:lead_post_save_update:sha256:" + sha256("mautic.lead_post_save_update", second),
                "mautic:lead_post_save_new:sha256:" + sha256("mautic.lead_post_save_new", third));
    }

    private static String sha256(String type, String event) throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(utf8(type));
        sha.update((byte) 0);
        sha.update(utf8(event));
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void eventRawNodeKeepsFieldsTheModelDoesNotKnow() {
        MauticBatch batch = MauticPayloads.parse(utf8("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1,\"brandNew\":{\"x\":[1,2]}},\"extra\":true," + TS + "}]}"));
        FormSubmitted e = batch.first(FormSubmitted.class).orElseThrow();
        assertThat(TestResources.tree(e.raw()).get("extra").asBoolean()).isTrue();
        assertThat(TestResources.tree(e.submission().raw()).at("/brandNew/x/1").asInt()).isEqualTo(2);
        assertThat(e.raw().json()).isEqualTo("{\"submission\":{\"id\":1,\"brandNew\":{\"x\":[1,2]}},\"extra\":true," + TS + "}");
        assertThat(e.submission().raw().json()).isEqualTo("{\"id\":1,\"brandNew\":{\"x\":[1,2]}}");
    }

    @Test
    void notAMauticPayloadFailsWithAPointer() {
        List<String[]> cases = List.of(
                new String[] {"[]", ""},
                new String[] {"[{\"mautic.form_on_submit\":[]}]", ""},
                new String[] {"\"text\"", ""},
                new String[] {"{\"id\":\"xxxxxxxxxx\",\"label\":\"Completed\"}", "/id"},
                new String[] {"{\"mautic.form_on_submit\":[0]}", "/mautic.form_on_submit/0"},
                new String[] {"{\"mautic.form_on_submit\":[[1]]}", "/mautic.form_on_submit/0"},
                new String[] {"{\"mautic.form_on_submit\":{\"submission\":{}}}", ""},
                new String[] {"{\"mautic.form_on_submit\":[{\"submission\":5}]}", "/mautic.form_on_submit/0/submission"},
                new String[] {"{\"mautic.form_on_submit\":[{\"timestamp\":\"2024-13-45\"}]}", "/mautic.form_on_submit/0/timestamp"},
                new String[] {"{\"mautic.form_on_submit\":[{\"submission\":{\"id\":\"abc\"}," + TS + "}]}", "/mautic.form_on_submit/0/submission/id"},
                new String[] {"{\"mautic.email_on_open\":[{\"stat\":{\"lead\":{\"points\":99999999999}}," + TS + "}]}", "/mautic.email_on_open/0/stat/lead/points"},
                new String[] {"{\"a/b\":[1]}", "/a~1b/0"},
                new String[] {"{\"timestamp\":\"not a date\"}", "/timestamp"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> MauticPayloads.parse(utf8(c[0])))
                    .as(c[0])
                    .isInstanceOfSatisfying(PayloadParseException.class, e -> assertThat(e.pointer()).isEqualTo(c[1]));
        }
    }

    @Test
    void parseErrorsNeverEchoValues() {
        assertThatThrownBy(() -> MauticPayloads.parse(utf8("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":\"secret-token-xyz\"}}]}")))
                .isInstanceOf(PayloadParseException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token-xyz"));
        assertThatThrownBy(() -> MauticPayloads.parse(utf8("{\"mautic.form_on_submit\":[{\"x\":secret-token-xyz}]}")))
                .isInstanceOf(PayloadParseException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token-xyz"));
    }
}
