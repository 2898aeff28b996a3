package dev.hookguard.inbox;

import dev.hookguard.signature.SignatureScheme;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * One part of a stored delivery as the inbox lists it: everything but its body, which {@link JdbcInbox#body} reads.
 *
 * @param id            its place in the inbox: larger is newer; {@link JdbcInbox#list(java.util.Set, long, int)} pages on it
 * @param key           its idempotency key as stored: the key itself, or {@code sha256:} and its hex digest when it is
 *                      longer than 255 characters
 * @param partKey       its whole idempotency key, whatever its length
 * @param eventType     its event type ({@code mautic.form_on_submit}, {@code workflow_session}); empty for rows stored
 *                      before schema version 2
 * @param scheme        the sender
 * @param tenant        the tenant prefix of the key ({@code ""} without a resolver)
 * @param state         where it is in its life
 * @param attempts      handling attempts so far: each claim counts, whether the attempt ended or its worker died
 * @param nextAttemptAt when it is due, by the database's clock
 * @param failure       the last failure, if any
 * @param receivedAt    when it was stored, by the database's clock
 * @param doneAt        when it was handled, if it was
 * @param leaseOwner    the lease of the worker that holds it, or that handled it ({@code <instance>/<claim>/batch}, or
 *                      {@code .../alone} for a row that ran alone after its worker was lost)
 */
public record InboxEntry(long id, String key, String partKey, Optional<String> eventType, SignatureScheme scheme, String tenant,
                         JdbcInbox.State state, int attempts, Instant nextAttemptAt, Optional<Failure> failure, Instant receivedAt,
                         Optional<Instant> doneAt, Optional<String> leaseOwner) {

    /**
     * Why an attempt failed.
     *
     * @param type    the class of what the handler threw ({@code java.lang.IllegalStateException}), or a reason of the
     *                inbox's own: {@code not_handled}, {@code handler_timeout}, {@code worker_lost}
     * @param message its message, if it had one (may quote payload values: shown to operators, never logged)
     */
    public record Failure(String type, Optional<String> message) {
    }

    static InboxEntry read(ResultSet rs) throws SQLException {
        long done = rs.getLong("done_at");
        boolean doneNull = rs.wasNull();
        String errorClass = rs.getString("error_class");
        String message = rs.getString("last_error");
        Optional<Failure> failure = errorClass == null && message == null ? Optional.empty()
                : Optional.of(errorClass == null ? legacyFailure(message) : new Failure(errorClass, Optional.ofNullable(message)));
        String key = rs.getString("delivery_key");
        return new InboxEntry(rs.getLong("id"), key, Optional.ofNullable(rs.getString("part_key")).orElse(key),
                Optional.ofNullable(rs.getString("event_type")), SignatureScheme.named(rs.getString("scheme")), rs.getString("tenant"),
                JdbcInbox.State.valueOf(rs.getString("state")), rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
                failure, Instant.ofEpochMilli(rs.getLong("received_at")), doneNull ? Optional.empty() : Optional.of(Instant.ofEpochMilli(done)),
                Optional.ofNullable(rs.getString("lease_owner")));
    }

    /** Schema version 1 kept "class: message" in one column. */
    private static Failure legacyFailure(String text) {
        int colon = text.indexOf(": ");
        return colon < 0 ? new Failure(text, Optional.empty()) : new Failure(text.substring(0, colon), Optional.of(text.substring(colon + 2)));
    }

    @Override
    public String toString() {
        return "InboxEntry[" + key + ", " + scheme.id() + ", " + state + ", attempts " + attempts + "]";
    }
}
