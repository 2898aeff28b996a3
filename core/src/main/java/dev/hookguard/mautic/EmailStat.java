package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

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
 * @param email        the email sent; {@code null} when not sent
 * @param lead         the contact; {@code null} when not sent
 * @param raw          the stat object as sent
 */
public record EmailStat(Long id, String emailAddress, OffsetDateTime dateSent, OffsetDateTime dateRead,
                        Boolean isRead, Integer openCount, String trackingHash, Email email, Contact lead,
                        JsonNode raw) {
}
