package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * One send of an email to one contact, with its open tracking.
 *
 * @param id           the stat id, unique per send
 * @param emailAddress the address it went to
 * @param dateSent     when it was sent
 * @param dateRead     when it was first read
 * @param isRead       whether it has been read
 * @param openCount    how often it was opened
 * @param trackingHash Mautic's tracking hash
 * @param email        the email sent; empty when not sent
 * @param lead         the contact; empty when not sent
 * @param raw          the stat object as sent
 */
public record EmailStat(Optional<Long> id, Optional<String> emailAddress, Optional<OffsetDateTime> dateSent,
                        Optional<OffsetDateTime> dateRead, Optional<Boolean> isRead, Optional<Integer> openCount,
                        Optional<String> trackingHash, Optional<Email> email, Optional<Contact> lead, @JsonIgnore RawJson raw) {
}
