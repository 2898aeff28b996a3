package dev.hookguard.inbox;

import dev.hookguard.delivery.Headers;
import dev.hookguard.signature.SignatureScheme;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * One part of a stored delivery, as the inbox keeps it.
 *
 * @param key           its idempotency key
 * @param scheme        the sender
 * @param tenant        the tenant prefix of the key ({@code ""} without a resolver)
 * @param body          the delivery's body, exactly as received
 * @param headers       the headers a handler may read (never the signature)
 * @param state         where it is in its life
 * @param attempts      handling attempts so far
 * @param nextAttemptAt when it is due
 * @param lastError     the last failure's class and message, if any
 * @param receivedAt    when it was stored
 * @param doneAt        when it was handled, if it was
 * @param leaseOwner    the lease of the worker that holds it, or that handled it ({@code <instance>/<claim>})
 */
public record InboxEntry(String key, SignatureScheme scheme, String tenant, byte[] body, Headers headers, JdbcInbox.State state,
                         int attempts, Instant nextAttemptAt, Optional<String> lastError, Instant receivedAt, Optional<Instant> doneAt,
                         Optional<String> leaseOwner) {

    static InboxEntry read(ResultSet rs) throws SQLException {
        long done = rs.getLong("done_at");
        boolean doneNull = rs.wasNull();
        return new InboxEntry(rs.getString("delivery_key"), SignatureScheme.named(rs.getString("scheme")), rs.getString("tenant"),
                rs.getBytes("body"), JdbcInbox.headers(rs.getString("headers")), JdbcInbox.State.valueOf(rs.getString("state")),
                rs.getInt("attempts"), Instant.ofEpochMilli(rs.getLong("next_attempt_at")), Optional.ofNullable(rs.getString("last_error")),
                Instant.ofEpochMilli(rs.getLong("received_at")), doneNull ? Optional.empty() : Optional.of(Instant.ofEpochMilli(done)),
                Optional.ofNullable(rs.getString("lease_owner")));
    }

    /** Without the body, which may hold personal data. */
    @Override
    public String toString() {
        return "InboxEntry[" + key + ", " + scheme.id() + ", " + state + ", attempts " + attempts + "]";
    }
}
