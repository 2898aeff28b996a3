package dev.hookguard.mautic;

import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.RawJson;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Builds the typed record of each known event type from its JSON object. */
final class EventFactory {

    @FunctionalInterface
    interface Builder {
        MauticEvent build(EventMeta meta, Node event, Pointer at);
    }

    static final Map<String, Builder> BY_TYPE = Map.ofEntries(
            Map.entry(ContactIdentified.TYPE, (m, e, at) -> new ContactIdentified(m, contact(e, "contact", at))),
            Map.entry(ContactUpdated.TYPE, (m, e, at) -> new ContactUpdated(m, contact(e, "contact", at))),
            Map.entry(ContactPointsChanged.TYPE, (m, e, at) -> new ContactPointsChanged(m, contact(e, "contact", at), points(e, at))),
            Map.entry(ContactDeleted.TYPE, (m, e, at) -> new ContactDeleted(m, o(Json.longValue(e, "id", at)), contact(e, "contact", at))),
            Map.entry(ContactChannelSubscriptionChanged.TYPE, (m, e, at) -> new ContactChannelSubscriptionChanged(m,
                    contact(e, "contact", at), o(Json.text(e, "channel", at)), o(Json.text(e, "old_status", at)), o(Json.text(e, "new_status", at)))),
            Map.entry(ContactCompanyChanged.TYPE, (m, e, at) -> new ContactCompanyChanged(m,
                    o(Json.bool(e, "added", at)), contact(e, "contact", at), company(e, at))),
            Map.entry(CompanySaved.TYPE, (m, e, at) -> new CompanySaved(m, company(e, at))),
            Map.entry(CompanyDeleted.TYPE, (m, e, at) -> new CompanyDeleted(m, o(Json.longValue(e, "id", at)), company(e, at))),
            Map.entry(ContactSegmentChanged.TYPE, (m, e, at) -> new ContactSegmentChanged(m,
                    contact(e, "contact", at), segment(e, at), o(Json.text(e, "action", at)))),
            Map.entry(EmailSent.TYPE, (m, e, at) -> new EmailSent(m, email(e, at), contact(e, "contact", at),
                    o(Json.text(e, "contentHash", at)), o(Json.text(e, "idHash", at)), o(Json.text(e, "subject", at)),
                    raw(e, "source"), raw(e, "headers"), o(Json.text(e, "content", at)), raw(e, "tokens"))),
            Map.entry(EmailOpened.TYPE, (m, e, at) -> new EmailOpened(m, stat(e, at))),
            Map.entry(FormSubmitted.TYPE, (m, e, at) -> new FormSubmitted(m, submission(e, at))),
            Map.entry(PageHit.TYPE, (m, e, at) -> new PageHit(m, hit(e, at))),
            Map.entry(TextMessageSent.TYPE, (m, e, at) -> new TextMessageSent(m, o(Json.longValue(e, "smsId", at)),
                    contact(e, "contact", at), o(Json.text(e, "content", at)))));

    private EventFactory() {
    }

    private static <T> Optional<T> o(T value) {
        return Optional.ofNullable(value);
    }

    static MauticEvent build(EventMeta meta, Node event, Pointer at) {
        Builder builder = BY_TYPE.get(meta.type());
        return builder == null ? new UnknownEvent(meta) : builder.build(meta, event, at);
    }

    /** A member as sent; empty when absent or null. */
    private static Optional<RawJson> raw(Node parent, String field) {
        Node node = parent.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node.raw());
    }

    static Optional<Contact> contact(Node parent, String field, Pointer at) {
        Node c = Json.object(parent, field, at);
        if (c == null) {
            return Optional.empty();
        }
        Pointer here = at.child(field);
        return Optional.of(new Contact(o(Json.longValue(c, "id", here)), o(Json.intValue(c, "points", here)),
                o(Json.dateTime(c, "dateAdded", here)), o(Json.dateTime(c, "dateModified", here)),
                o(Json.dateTime(c, "dateIdentified", here)), new Fields(c), c.raw()));
    }

    private static Optional<PointsChange> points(Node e, Pointer at) {
        Node p = Json.object(e, "points", at);
        if (p == null) {
            return Optional.empty();
        }
        Pointer here = at.child("points");
        return Optional.of(new PointsChange(o(Json.intValue(p, "old_points", here)), o(Json.intValue(p, "new_points", here))));
    }

    private static Optional<Company> company(Node e, Pointer at) {
        Node c = Json.object(e, "company", at);
        return c == null ? Optional.empty() : Optional.of(new Company(o(Json.longValue(c, "id", at.child("company"))), new Fields(c), c.raw()));
    }

    private static Optional<Segment> segment(Node e, Pointer at) {
        Node s = Json.object(e, "segment", at);
        if (s == null) {
            return Optional.empty();
        }
        Pointer here = at.child("segment");
        return Optional.of(new Segment(o(Json.longValue(s, "id", here)), o(Json.text(s, "name", here)), o(Json.text(s, "alias", here)), s.raw()));
    }

    private static Optional<Email> email(Node parent, Pointer at) {
        Node m = Json.object(parent, "email", at);
        if (m == null) {
            return Optional.empty();
        }
        Pointer here = at.child("email");
        return Optional.of(new Email(o(Json.longValue(m, "id", here)), o(Json.text(m, "name", here)), o(Json.text(m, "subject", here)), m.raw()));
    }

    private static EmailStat stat(Node e, Pointer at) {
        Node s = Json.requiredObject(e, "stat", at);
        Pointer here = at.child("stat");
        return new EmailStat(o(Json.longValue(s, "id", here)), o(Json.text(s, "emailAddress", here)),
                o(Json.dateTime(s, "dateSent", here)), o(Json.dateTime(s, "dateRead", here)), o(Json.bool(s, "isRead", here)),
                o(Json.intValue(s, "openCount", here)), o(Json.text(s, "trackingHash", here)), email(s, here),
                contact(s, "lead", here), s.raw());
    }

    private static Submission submission(Node e, Pointer at) {
        Node s = Json.requiredObject(e, "submission", at);
        Pointer here = at.child("submission");
        Node f = Json.object(s, "form", here);
        Pointer formAt = here.child("form");
        Optional<Form> form = f == null ? Optional.empty()
                : Optional.of(new Form(o(Json.longValue(f, "id", formAt)), o(Json.text(f, "name", formAt)), o(Json.text(f, "alias", formAt)), f.raw()));
        Node r = Json.object(s, "results", here);
        Map<String, RawJson> results = new LinkedHashMap<>();
        if (r != null) {
            r.properties().forEach(entry -> results.put(entry.getKey(), entry.getValue().raw()));
        }
        return new Submission(o(Json.longValue(s, "id", here)), form, contact(s, "lead", here),
                o(Json.text(s, "trackingId", here)), o(Json.dateTime(s, "dateSubmitted", here)), o(Json.text(s, "referer", here)),
                Collections.unmodifiableMap(results), s.raw());
    }

    private static Hit hit(Node e, Pointer at) {
        Node h = Json.requiredObject(e, "hit", at);
        Pointer here = at.child("hit");
        Node p = Json.object(h, "page", here);
        Pointer pageAt = here.child("page");
        Optional<Page> page = p == null ? Optional.empty()
                : Optional.of(new Page(o(Json.longValue(p, "id", pageAt)), o(Json.text(p, "title", pageAt)), o(Json.text(p, "alias", pageAt)), p.raw()));
        return new Hit(o(Json.longValue(h, "id", here)), o(Json.dateTime(h, "dateHit", here)), page, contact(h, "lead", here),
                o(Json.text(h, "url", here)), o(Json.text(h, "referer", here)), o(Json.text(h, "source", here)),
                o(Json.longValue(h, "sourceId", here)), h.raw());
    }
}
