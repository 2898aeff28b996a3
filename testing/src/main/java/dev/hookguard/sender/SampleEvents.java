package dev.hookguard.sender;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Realistic Mautic events and Malcolm! sessions, shaped like the vendors' own samples, with ids, names and
 * non-ASCII text that vary with a sequence number. The same sequence number always gives the same event, so a
 * test can send a duplicate on purpose.
 */
public final class SampleEvents {

    /** Every event type Mautic 5 sends, in the order of its documentation. */
    public static final List<String> MAUTIC_TYPES = List.of(
            "mautic.lead_post_save_new", "mautic.lead_post_save_update", "mautic.lead_points_change",
            "mautic.lead_post_delete", "mautic.lead_channel_subscription_changed", "mautic.lead_company_change",
            "mautic.company_post_save", "mautic.company_post_delete", "mautic.lead_list_change",
            "mautic.email_on_send", "mautic.email_on_open", "mautic.form_on_submit", "mautic.page_on_hit",
            "mautic.sms_on_send");

    /** The types Mautic ships a "Send Test Payload" sample file for; the others contribute nothing. */
    private static final Set<String> TEST_SAMPLES = Set.of(
            "mautic.lead_post_save_new", "mautic.lead_post_save_update", "mautic.lead_points_change",
            "mautic.lead_post_delete", "mautic.lead_channel_subscription_changed", "mautic.email_on_open",
            "mautic.form_on_submit", "mautic.page_on_hit");

    /** Test-payload samples that Mautic sends as one object rather than an array of events. */
    private static final Set<String> SINGLE_OBJECT_SAMPLES = Set.of("mautic.email_on_open", "mautic.form_on_submit", "mautic.page_on_hit");

    private static final String[][] PEOPLE = {
        {"José", "Müller"}, {"Zoë", "Ødegaard"}, {"山田", "太郎"}, {"Анна", "Иванова"}, {"Łukasz", "Żółć"},
        {"Siobhán", "O'Connor"}, {"Émile", "Brontë"}, {"Renée", "Smith 😀"}, {"Ngozi", "Okonkwo"}, {"Søren", "Kierkegård"},
        {"Nguyễn", "Văn An"}, {"Ahmed", "Al-Farsi"}, {"Chloé", "\"Coco\" Martin"}, {"Björk", "Guðmundsdóttir"}};
    private static final String[] FORMS = {"Contact us", "Demande de démo", "Newsletter <weekly>", "Support & Help", "Anmeldung/Registrierung"};
    private static final String[] STATUSES = {"contactable", "unsubscribed", "bounced", "manual"};
    private static final ZoneOffset[] OFFSETS = {ZoneOffset.UTC, ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHours(-6)};
    private static final OffsetDateTime EPOCH = OffsetDateTime.of(2026, 1, 5, 9, 0, 0, 0, ZoneOffset.UTC);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private SampleEvents() {
    }

    /** One event of {@code type} for sequence number {@code seq}. */
    public static OutgoingEvent of(String type, int seq) {
        return new OutgoingEvent(type, payload(type, seq), queuedAt(seq));
    }

    /** {@code count} events of {@code type}, sequence numbers {@code firstSeq} onwards. */
    public static List<OutgoingEvent> of(String type, int firstSeq, int count) {
        List<OutgoingEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(of(type, firstSeq + i));
        }
        return events;
    }

    /** {@code count} events cycling through {@code types}, sequence numbers {@code firstSeq} onwards. */
    public static List<OutgoingEvent> cycling(List<String> types, int firstSeq, int count) {
        List<OutgoingEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(of(types.get(i % types.size()), firstSeq + i));
        }
        return events;
    }

    /** {@code count} events of every Mautic type in turn. */
    public static List<OutgoingEvent> mixed(int count) {
        return cycling(MAUTIC_TYPES, 1, count);
    }

    /** When event {@code seq} was queued: one second apart, in one of several offsets. */
    public static OffsetDateTime queuedAt(int seq) {
        return EPOCH.plusSeconds(seq).withOffsetSameInstant(OFFSETS[Math.floorMod(seq, OFFSETS.length)]);
    }

    /** The payload keys of one event (without {@code timestamp}). */
    public static ObjectNode payload(String type, int seq) {
        ObjectNode p = JSON.objectNode();
        switch (type) {
            case "mautic.lead_post_save_new", "mautic.lead_post_save_update" -> p.set("contact", contact(seq));
            case "mautic.lead_points_change" -> {
                p.set("contact", contact(seq));
                p.putObject("points").put("old_points", seq % 50).put("new_points", seq % 50 + 5);
            }
            case "mautic.lead_post_delete" -> {
                p.put("id", 5000 + seq);
                p.set("contact", contact(seq).putNull("id"));
            }
            case "mautic.lead_channel_subscription_changed" -> {
                p.set("contact", contact(seq));
                p.put("channel", "email");
                p.put("old_status", STATUSES[seq % 4]);
                p.put("new_status", STATUSES[(seq + 1) % 4]);
            }
            case "mautic.lead_company_change" -> {
                p.put("added", seq % 2 == 0);
                p.set("contact", contact(seq));
                p.set("company", company(seq));
            }
            case "mautic.company_post_save" -> p.set("company", company(seq));
            case "mautic.company_post_delete" -> {
                p.put("id", 700 + seq);
                p.set("company", company(seq).putNull("id"));
            }
            case "mautic.lead_list_change" -> {
                p.set("contact", contact(seq));
                p.putObject("segment").put("id", 3 + seq % 4).put("name", "Clients fidèles " + (3 + seq % 4)).put("alias", "clients-" + (3 + seq % 4));
                p.put("action", seq % 3 == 0 ? "removed" : "added");
            }
            case "mautic.email_on_send" -> {
                p.set("email", email(seq));
                p.set("contact", contact(seq));
                p.put("contentHash", hex(seq * 7919L, 32));
                p.put("idHash", hex(seq * 104729L + 17, 13));
                p.put("subject", "Bienvenue, " + first(seq) + " — your guide");
                p.putArray("source").add("campaign").add(seq % 9 + 1);
                p.putArray("headers");
            }
            case "mautic.email_on_open" -> p.set("stat", stat(seq));
            case "mautic.form_on_submit" -> p.set("submission", submission(seq));
            case "mautic.page_on_hit" -> p.set("hit", hit(seq));
            case "mautic.sms_on_send" -> {
                p.put("smsId", 40 + seq % 5);
                p.set("contact", contact(seq));
                p.put("content", "Hallo " + first(seq) + ", dein Code ist " + (1000 + seq) + " ✔");
            }
            default -> p.putObject("thing").put("id", seq).put("url", "https://example.com/things/" + seq);
        }
        return p;
    }

    /** A contact in Mautic's webhook shape: fields grouped, empty groups as PHP's {@code []}. */
    public static ObjectNode contact(int seq) {
        ObjectNode c = JSON.objectNode();
        c.put("isPublished", true);
        c.put("dateAdded", MauticSender.PHP_ISO_8601.format(EPOCH.minusDays(30).plusMinutes(seq)));
        c.put("dateModified", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        c.put("dateIdentified", MauticSender.PHP_ISO_8601.format(EPOCH.minusDays(30).plusMinutes(seq)));
        c.put("createdBy", 1);
        c.put("createdByUser", "Admin Mautic");
        c.put("id", 100 + seq);
        c.put("points", seq % 50);
        c.putNull("color");
        ObjectNode fields = c.putObject("fields");
        ObjectNode core = fields.putObject("core");
        field(core, "core", 2, "firstname", "First Name", "text", first(seq));
        field(core, "core", 3, "lastname", "Last Name", "text", last(seq));
        field(core, "core", 6, "email", "Email", "email", email(seq, "contact"));
        field(core, "core", 4, "company", "Company", "text", seq % 3 == 0 ? null : "Société " + seq);
        field(core, "core", 12, "city", "City", "text", seq % 2 == 0 ? "Zürich" : "São Paulo");
        field(fields.putObject("social"), "social", 20, "twitter", "Twitter", "text", null);
        fields.putArray("personal");
        fields.putArray("professional");
        c.putArray("ipAddresses");
        c.putArray("tags").add("webinar-" + (seq % 3));
        c.putArray("doNotContact");
        c.putArray("utmtags");
        c.putNull("stage");
        return c;
    }

    private static void field(ObjectNode group, String groupName, int id, String alias, String label, String type, String value) {
        ObjectNode f = group.putObject(alias);
        f.put("id", Integer.toString(id)).put("label", label).put("alias", alias).put("type", type)
                .put("group", groupName).put("object", "lead").put("is_fixed", "1");
        if (value == null) {
            f.putNull("value");
        } else {
            f.put("value", value);
        }
    }

    private static ObjectNode company(int seq) {
        ObjectNode c = JSON.objectNode();
        c.put("id", 700 + seq);
        ObjectNode core = c.putObject("fields").putObject("core");
        core.putObject("companyname").put("alias", "companyname").put("label", "Company Name").put("value", "Société Générale " + seq);
        core.putObject("companywebsite").put("alias", "companywebsite").put("label", "Website").put("value", "https://company-" + seq + ".example/");
        return c;
    }

    private static ObjectNode email(int seq) {
        ObjectNode e = JSON.objectNode();
        e.put("id", 5 + seq % 7);
        e.put("name", "Onboarding #" + (5 + seq % 7));
        e.put("subject", "Bienvenue chez nous, {contactfield=firstname}");
        e.put("language", "fr");
        e.putNull("category");
        e.put("fromAddress", "hello@mautic.example.com");
        e.put("sentCount", 100 + seq);
        e.put("readCount", 40 + seq);
        return e;
    }

    private static ObjectNode stat(int seq) {
        ObjectNode s = JSON.objectNode();
        s.put("id", 9000 + seq);
        s.put("emailAddress", email(seq, "contact"));
        s.putArray("ipAddress");
        s.put("dateSent", MauticSender.PHP_ISO_8601.format(queuedAt(seq).minusHours(2)));
        s.put("isRead", true);
        s.put("isFailed", false);
        s.put("dateRead", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        s.put("retryCount", 0);
        s.put("source", "campaign");
        s.put("openCount", 1 + seq % 3);
        s.put("lastOpened", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        s.put("sourceId", 3);
        s.put("trackingHash", hex(seq * 31L + 5, 13));
        s.put("viewedInBrowser", false);
        s.set("lead", contact(seq));
        s.set("email", email(seq));
        return s;
    }

    private static ObjectNode submission(int seq) {
        ObjectNode s = JSON.objectNode();
        s.put("id", 20_000 + seq);
        s.putArray("ipAddress");
        s.putObject("form").put("id", 4 + seq % FORMS.length).put("name", FORMS[seq % FORMS.length])
                .put("alias", "form" + (4 + seq % FORMS.length)).putNull("category");
        s.set("lead", contact(seq));
        s.put("trackingId", hex(seq * 977L + 3, 40));
        s.put("dateSubmitted", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        s.put("referer", "https://www.example.com/s/forms/preview/" + (4 + seq % FORMS.length) + "?lang=fr&utm=a/b");
        s.putNull("page");
        ObjectNode results = s.putObject("results");
        results.put("name", first(seq) + " " + last(seq));
        results.put("email", email(seq, "form"));
        results.put("message", "Bonjour! Ça marche? <b>Oui</b> & \"non\" \\ " + seq + "\nLine 2\t✓");
        results.put("score", seq % 5 == 0 ? 1.0 : seq % 10);
        return s;
    }

    private static ObjectNode hit(int seq) {
        ObjectNode h = JSON.objectNode();
        h.put("id", 30_000 + seq);
        h.put("dateHit", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        h.putNull("dateLeft");
        h.putObject("page").put("id", 1 + seq % 3).put("title", "Préférences " + (1 + seq % 3)).put("alias", "prefs-" + (1 + seq % 3)).putNull("category");
        h.putNull("redirect");
        h.putNull("email");
        h.set("lead", contact(seq));
        h.putArray("ipAddress");
        h.put("code", 200);
        h.put("url", "https://www.example.com/prefs/" + (1 + seq % 3) + "?q=" + seq);
        h.put("referer", "https://www.google.com/");
        h.put("userAgent", "Mozilla/5.0 (X11; Linux x86_64)");
        h.put("pageLanguage", "fr");
        ArrayNode languages = h.putArray("browserLanguages");
        languages.add("fr-FR").add("en-US");
        h.put("trackingId", hex(seq * 13L + 1, 40));
        h.put("source", "email");
        h.put("sourceId", 5);
        return h;
    }

    /** Whether "Send Test Payload" has a sample for {@code type}. */
    public static boolean hasTestSample(String type) {
        return TEST_SAMPLES.contains(type);
    }

    /** The body of a "Send Test Payload" for the checked {@code types}, sent at {@code now}. */
    public static ObjectNode testPayload(List<String> types, OffsetDateTime now) {
        ObjectNode root = JSON.objectNode();
        for (String type : types) {
            if (!TEST_SAMPLES.contains(type)) {
                continue;
            }
            ObjectNode sample = payload(type, 0);
            if (SINGLE_OBJECT_SAMPLES.contains(type)) {
                root.set(type, sample);
            } else {
                sample.put("timestamp", "2017-06-19T09:31:18+00:00");
                root.putArray(type).add(sample);
            }
        }
        root.put("timestamp", MauticSender.PHP_ISO_8601.format(now));
        return root;
    }

    /** A completed Malcolm! Workflow Session, with or without its values. */
    public static ObjectNode malcolmSession(int seq, boolean withValues) {
        String name = first(seq) + " " + last(seq);
        String workflow = seq % 2 == 0 ? "Open Support Ticket" : "Demande de rappel";
        ObjectNode s = JSON.objectNode();
        s.put("id", "ws" + hex(seq * 7L + 11, 8));
        s.put("label", "Completed by " + name);
        s.put("description", "Workflow \"" + workflow + "\" was completed by " + name + ".");
        s.put("text", "Workflow \"" + workflow + "\" was completed by " + name + ".");
        s.put("locale", seq % 2 == 0 ? "en-GB" : "fr-FR");
        s.put("started-at", MauticSender.PHP_ISO_8601.format(queuedAt(seq).minusMinutes(5)));
        s.put("completed-at", MauticSender.PHP_ISO_8601.format(queuedAt(seq)));
        ObjectNode w = s.putObject("workflow");
        w.put("id", "wf" + hex(seq % 2 + 1L, 8));
        w.put("name", workflow);
        w.put("published-at", "2026-01-01T09:00:00+00:00");
        w.put("version", "Version " + (1 + seq % 3));
        if (withValues) {
            ArrayNode values = s.putArray("values");
            value(values, seq, 1, "Your name", "name").put("value", name);
            value(values, seq, 2, "Your email address", "email").put("value", email(seq, "malcolm"));
            value(values, seq, 3, "Describe the problem", null).put("value", "L'écran reste noir / black screen\nsince 09:00 ✗");
            value(values, seq, 4, "Urgency (1-5)", "urgency").put("value", 1 + seq % 5);
            value(values, seq, 5, "Topics", "topics").putArray("value").add("billing").add("löschen");
        }
        return s;
    }

    private static ObjectNode value(ArrayNode values, int seq, int n, String fieldName, String queryName) {
        ObjectNode v = values.addObject();
        v.put("id", "wv" + hex(seq * 10L + n, 8));
        ObjectNode f = v.putObject("field");
        f.put("id", "wfld" + n);
        f.put("name", fieldName);
        if (queryName != null) {
            f.put("query-name", queryName);
        }
        return v;
    }

    private static String first(int seq) {
        return PEOPLE[Math.floorMod(seq, PEOPLE.length)][0];
    }

    private static String last(int seq) {
        return PEOPLE[Math.floorMod(seq, PEOPLE.length)][1];
    }

    private static String email(int seq, String kind) {
        return kind + "+" + seq + "@example.com";
    }

    private static String hex(long seed, int length) {
        StringBuilder s = new StringBuilder(length);
        long x = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        while (s.length() < length) {
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            x ^= x >>> 27;
            s.append(Long.toHexString(x & 0xfffffffL | 0x10000000L).substring(1));
        }
        return s.substring(0, length);
    }
}
