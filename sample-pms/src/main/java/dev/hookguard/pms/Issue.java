package dev.hookguard.pms;

import java.time.OffsetDateTime;

/** An issue in the PMS, created from a Mautic form submission or a Malcolm! session. */
public record Issue(long id, String title, String description, String source, String externalKey, String reporter,
                    OffsetDateTime createdAt) {
}
