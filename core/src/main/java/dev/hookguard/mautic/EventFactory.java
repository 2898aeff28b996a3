package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Pointer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the typed record of each known event type from its JSON object. */
final class EventFactory {

    @FunctionalInterface
    interface Builder {
        MauticEvent build(EventMeta meta, JsonNode event, Pointer at);
    }

    static final Map<String, Builder> BY_TYPE = Map.ofEntries(
            Map.entry(ContactIdentified.TYPE, (m, e, at) -> new ContactIdentified(m, contact(e, "contact", at))),
            Map.entry(ContactUpdated.TYPE, (m, e, at) -> new ContactUpdated(m, contact(e, "contact", at))),
            Map.entry(ContactPointsChanged.TYPE, (m, e, at) -> new ContactPointsChanged(m, contact(e, "contact", at), points(e, at))),
            Map.entry(ContactDeleted.TYPE, (m, e, at) -> new ContactDeleted(m, Json.longValue(e, "id", at), contact(e, "contact", at))),
            Map.entry(ContactChannelSubscriptionChanged.TYPE, (m, e, at) -> new ContactChannelSubscriptionChanged(m,
                    contact(e, "contact", at), Json.text(e, "channel", at), Json.text(e, "old_status", at), Json.text(e, "new_status", at))),
            Map.entry(ContactCompanyChanged.TYPE, (m, e, at) -> new ContactCompanyChanged(m,
                    Json.bool(e, "added", at), contact(e, "contact", at), company(e, at))),
            Map.entry(CompanySaved.TYPE, (m, e, at) -> new CompanySaved(m, company(e, at))),
            Map.entry(CompanyDeleted.TYPE, (m, e, at) -> new CompanyDeleted(m, Json.longValue(e, "id", at), company(e, at))),
            Map.entry(ContactSegmentChanged.TYPE, (m, e, at) -> new ContactSegmentChanged(m,
                    contact(e, "contact", at), segment(e, at), Json.text(e, "action", at))),
            Map.entry(EmailSent.TYPE, (m, e, at) -> new EmailSent(m, email(e, at), contact(e, "contact", at),
                    Json.text(e, "contentHash", at), Json.text(e, "idHash", at), Json.text(e, "subject", at),
                    e.get("source"), e.get("headers"), Json.text(e, "content", at), e.get("tokens"))),
            Map.entry(EmailOpened.TYPE, (m, e, at) -> new EmailOpened(m, stat(e, at))),
            Map.entry(FormSubmitted.TYPE, (m, e, at) -> new FormSubmitted(m, submission(e, at))),
            Map.entry(PageHit.TYPE, (m, e, at) -> new PageHit(m, hit(e, at))),
            Map.entry(TextMessageSent.TYPE, (m, e, at) -> new TextMessageSent(m, Json.longValue(e, "smsId", at),
                    contact(e, "contact", at), Json.text(e, "content", at))));

    private EventFactory() {
    }

    static MauticEvent build(EventMeta meta, JsonNode event, Pointer at) {
        Builder builder = BY_TYPE.get(meta.type());
        return builder == null ? new UnknownEvent(meta) : builder.build(meta, event, at);
    }

    static Contact contact(JsonNode parent, String field, Pointer at) {
        JsonNode c = Json.object(parent, field, at);
        if (c == null) {
            return null;
        }
        Pointer here = at.child(field);
        return new Contact(Json.longValue(c, "id", here), Json.intValue(c, "points", here),
                Json.dateTime(c, "dateAdded", here), Json.dateTime(c, "dateModified", here),
                Json.dateTime(c, "dateIdentified", here), c);
    }

    private static PointsChange points(JsonNode e, Pointer at) {
        JsonNode p = Json.object(e, "points", at);
        if (p == null) {
            return null;
        }
        Pointer here = at.child("points");
        return new PointsChange(Json.intValue(p, "old_points", here), Json.intValue(p, "new_points", here));
    }

    private static Company company(JsonNode e, Pointer at) {
        JsonNode c = Json.object(e, "company", at);
        return c == null ? null : new Company(Json.longValue(c, "id", at.child("company")), c);
    }

    private static Segment segment(JsonNode e, Pointer at) {
        JsonNode s = Json.object(e, "segment", at);
        if (s == null) {
            return null;
        }
        Pointer here = at.child("segment");
        return new Segment(Json.longValue(s, "id", here), Json.text(s, "name", here), Json.text(s, "alias", here), s);
    }

    private static Email email(JsonNode parent, Pointer at) {
        JsonNode m = Json.object(parent, "email", at);
        if (m == null) {
            return null;
        }
        Pointer here = at.child("email");
        return new Email(Json.longValue(m, "id", here), Json.text(m, "name", here), Json.text(m, "subject", here), m);
    }

    private static EmailStat stat(JsonNode e, Pointer at) {
        JsonNode s = Json.requiredObject(e, "stat", at);
        Pointer here = at.child("stat");
        return new EmailStat(Json.longValue(s, "id", here), Json.text(s, "emailAddress", here),
                Json.dateTime(s, "dateSent", here), Json.dateTime(s, "dateRead", here), Json.bool(s, "isRead", here),
                Json.intValue(s, "openCount", here), Json.text(s, "trackingHash", here), email(s, here),
                contact(s, "lead", here), s);
    }

    private static Submission submission(JsonNode e, Pointer at) {
        JsonNode s = Json.requiredObject(e, "submission", at);
        Pointer here = at.child("submission");
        JsonNode f = Json.object(s, "form", here);
        Pointer formAt = here.child("form");
        Form form = f == null ? null
                : new Form(Json.longValue(f, "id", formAt), Json.text(f, "name", formAt), Json.text(f, "alias", formAt), f);
        JsonNode r = Json.object(s, "results", here);
        Map<String, JsonNode> results = new LinkedHashMap<>();
        if (r != null) {
            r.properties().forEach(entry -> results.put(entry.getKey(), entry.getValue()));
        }
        return new Submission(Json.longValue(s, "id", here), form, contact(s, "lead", here),
                Json.text(s, "trackingId", here), Json.dateTime(s, "dateSubmitted", here), Json.text(s, "referer", here),
                Collections.unmodifiableMap(results), s);
    }

    private static Hit hit(JsonNode e, Pointer at) {
        JsonNode h = Json.requiredObject(e, "hit", at);
        Pointer here = at.child("hit");
        JsonNode p = Json.object(h, "page", here);
        Pointer pageAt = here.child("page");
        Page page = p == null ? null
                : new Page(Json.longValue(p, "id", pageAt), Json.text(p, "title", pageAt), Json.text(p, "alias", pageAt), p);
        return new Hit(Json.longValue(h, "id", here), Json.dateTime(h, "dateHit", here), page, contact(h, "lead", here),
                Json.text(h, "url", here), Json.text(h, "referer", here), Json.text(h, "source", here),
                Json.longValue(h, "sourceId", here), h);
    }
}
