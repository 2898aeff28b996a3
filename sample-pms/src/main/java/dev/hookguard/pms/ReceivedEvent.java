package dev.hookguard.pms;

import java.time.OffsetDateTime;

/** One event a verified delivery carried, stored with its raw JSON whatever became of it. */
public record ReceivedEvent(long id, String sender, String type, String idempotencyKey, String rawJson,
                            OffsetDateTime eventTimestamp, OffsetDateTime receivedAt, Long issueId) {
}
