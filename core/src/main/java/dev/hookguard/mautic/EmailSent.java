package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An email was sent to a contact. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param email the email
 * @param contact the recipient
 * @param contentHash hash of the content
 * @param idHash unique per send
 * @param subject the subject sent
 * @param source what sent it, as sent
 * @param headers the mail headers, as sent
 * @param content the content, when Mautic includes email details; else {@code null}
 * @param tokens the tokens, when Mautic includes email details; else {@code null}
 */
public record EmailSent(EventMeta meta, Email email, Contact contact, String contentHash, String idHash, String subject, JsonNode source, JsonNode headers, String content, JsonNode tokens) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.email_on_send";
}
