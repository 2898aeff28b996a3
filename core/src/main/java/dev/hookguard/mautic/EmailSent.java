package dev.hookguard.mautic;

import dev.hookguard.payload.RawJson;
import java.util.Optional;

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
 * @param content the content, when Mautic includes email details; else empty
 * @param tokens the tokens, when Mautic includes email details; else empty
 */
public record EmailSent(EventMeta meta, Optional<Email> email, Optional<Contact> contact, Optional<String> contentHash,
                        Optional<String> idHash, Optional<String> subject, Optional<RawJson> source, Optional<RawJson> headers,
                        Optional<String> content, Optional<RawJson> tokens) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.email_on_send";
}
