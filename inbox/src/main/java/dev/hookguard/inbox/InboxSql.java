package dev.hookguard.inbox;

/**
 * Every statement the inbox runs, each a named constant written once with {@code %1$s} for the table and
 * {@code %2$s} for the database's current time in epoch milliseconds, formatted once per inbox (Spring Modulith's
 * {@code JdbcEventPublicationRepository} keeps its SQL the same way). Times that decide who may take a row are the
 * database's ({@link Dialect#nowMillis()}), never an instance's clock.
 */
final class InboxSql {

    /** The columns a listing reads: everything but the body. */
    private static final String SUMMARY = "id, delivery_key, part_key, event_type, scheme, tenant, state, attempts, next_attempt_at,"
            + " lease_owner, error_class, last_error, received_at, done_at";

    private static final String INSERT = "insert into %1$s (delivery_key, part_key, event_type, scheme, tenant, body, headers, state,"
            + " attempts, next_attempt_at, received_at) values (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, %2$s, %2$s)";

    /** PostgreSQL skips a stored part in the statement, with no savepoint (each would be a subtransaction). */
    private static final String INSERT_POSTGRESQL = INSERT + " on conflict (delivery_key) do nothing";

    /**
     * PostgreSQL's accept for many parts at once, in one statement (one round trip, one commit): one array per column,
     * in arrival order (River's and graphile-worker's batched insert); returns the keys it stored.
     */
    private static final String INSERT_MANY_POSTGRESQL = "insert into %1$s (delivery_key, part_key, event_type, scheme, tenant, body,"
            + " headers, state, attempts, next_attempt_at, received_at) select delivery_key, part_key, event_type, scheme, tenant, body,"
            + " headers, 'PENDING', 0, %2$s, %2$s from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::text[])"
            + " with ordinality as u(delivery_key, part_key, event_type, scheme, tenant, body, headers, position) order by position"
            + " on conflict (delivery_key) do nothing returning delivery_key";

    /** {@link #REVIVE_DEAD} for many keys at once; returns the keys it revived. */
    private static final String REVIVE_DEAD_MANY_POSTGRESQL = "update %1$s set state = 'PENDING', attempts = 0, next_attempt_at = %2$s,"
            + " lease_owner = null, claimed_at = null, error_class = null, last_error = null where delivery_key = any(?::text[])"
            + " and state = 'DEAD' returning delivery_key";

    /** A redelivery of what died is a new chance, not a duplicate: only what was handled, or will be, is one. */
    private static final String REVIVE_DEAD = "update %1$s set state = 'PENDING', attempts = 0, next_attempt_at = %2$s, lease_owner = null,"
            + " claimed_at = null, error_class = null, last_error = null where delivery_key = ? and state = 'DEAD'";

    /**
     * PostgreSQL's claim in one statement (River's and graphile-worker's shape): lock due rows, skipping those others
     * hold, and count the attempt, in one round trip and one commit; {@code %3$s} is the scheme list.
     */
    private static final String CLAIM_DUE_POSTGRESQL = "with due as (select delivery_key from %1$s where state = 'PENDING'"
            + " and next_attempt_at <= %2$s and scheme in (%3$s) order by next_attempt_at fetch first ? rows only for update skip locked)"
            + " update %1$s t set state = 'RUNNING', attempts = t.attempts + 1, lease_owner = ?, claimed_at = %2$s from due"
            + " where t.delivery_key = due.delivery_key returning t.delivery_key, t.attempts, t.error_class";

    /** Due pending rows, for the databases that claim in two statements; {@code %3$s} is the scheme list. */
    private static final String SELECT_DUE = "select delivery_key, attempts, error_class from %1$s where state = 'PENDING' and next_attempt_at <= %2$s"
            + " and scheme in (%3$s) order by next_attempt_at fetch first ? rows only for update skip locked";

    /**
     * Running rows that no live transaction holds: their worker died (thread, process, machine or connection).
     * {@code claimed_at} keeps a row its claimer is about to lock out of reach for a moment; the last column says
     * whether it is older than a longer grace, which a row running alone gets (its instance's supervisor acts first).
     */
    private static final String SELECT_ORPHANED = "select delivery_key, attempts, scheme, lease_owner, case when claimed_at < %2$s - ? then 1 else 0 end"
            + " from %1$s where state = 'RUNNING' and claimed_at < %2$s - ? and scheme in (%3$s) fetch first ? rows only for update skip locked";

    /** A claimed row kept from the rescuer while it waits to run alone, by a claim time kept fresh: {@code key, token}. */
    private static final String KEEP_CLAIMED = "update %1$s set claimed_at = %2$s where delivery_key = ? and lease_owner = ? and state = 'RUNNING'";

    /** A claimed row given a claim of its own, to run alone: {@code new token, key, old token}. */
    private static final String RECLAIM_ALONE = "update %1$s set lease_owner = ?, claimed_at = %2$s where delivery_key = ? and lease_owner = ?"
            + " and state = 'RUNNING'";

    private static final String MARK_CLAIMED = "update %1$s set state = 'RUNNING', attempts = attempts + 1, lease_owner = ?, claimed_at = %2$s"
            + " where delivery_key = ?";

    /**
     * An orphaned row: due again at once, or dead when that was its last attempt; the second parameter takes back the
     * lost attempt (1) or keeps it counted (0).
     */
    private static final String RESCUE_ORPHAN = "update %1$s set state = ?, attempts = attempts - ?, next_attempt_at = %2$s, lease_owner = null,"
            + " claimed_at = null, error_class = ?, last_error = ? where delivery_key = ? and state = 'RUNNING'";

    /** Locks the claimed rows for as long as their handlers run: the lock of a live transaction is the liveness. */
    private static final String LOCK_CLAIMED = "select delivery_key, part_key, scheme, tenant, body, headers, attempts from %1$s"
            + " where lease_owner = ? and state = 'RUNNING' and delivery_key in (%3$s) for update";

    private static final String MARK_DONE = "update %1$s set state = 'DONE', done_at = %2$s, claimed_at = null, error_class = null,"
            + " last_error = null where delivery_key = ? and lease_owner = ? and state = 'RUNNING'";

    private static final String MARK_FAILED = "update %1$s set state = ?, next_attempt_at = %2$s + ?, lease_owner = null, claimed_at = null,"
            + " error_class = ?, last_error = ? where delivery_key = ? and lease_owner = ? and state = 'RUNNING'";

    /** At a stop: pending again, due now, the attempt not counted. */
    private static final String GIVE_BACK = "update %1$s set state = 'PENDING', attempts = attempts - 1, next_attempt_at = %2$s,"
            + " lease_owner = null, claimed_at = null where delivery_key = ? and lease_owner = ? and state = 'RUNNING'";

    private static final String REPLAY = "update %1$s set state = 'PENDING', attempts = 0, next_attempt_at = %2$s, lease_owner = null,"
            + " claimed_at = null, done_at = null where delivery_key = ? and state in ('DEAD', 'DONE')";

    private static final String REPLAY_DEAD = "update %1$s set state = 'PENDING', attempts = 0, next_attempt_at = %2$s, lease_owner = null,"
            + " claimed_at = null where state = 'DEAD'";

    private static final String PURGE_DONE = "delete from %1$s where state = 'DONE' and done_at < %2$s - ?";

    private static final String COUNT = "select state, count(*), min(received_at), min(next_attempt_at), %2$s from %1$s group by state";

    /** Newest first, keyset-paged on {@code id}; {@code %3$s} is the state list. Never the body. */
    private static final String LIST = "select " + SUMMARY + " from %1$s where state in (%3$s) and id < ? order by id desc fetch first ? rows only";

    private static final String SHOW = "select " + SUMMARY + " from %1$s where delivery_key = ?";

    private static final String BODY = "select body from %1$s where delivery_key = ?";

    final String insert;
    final String insertPostgresql;
    final String insertManyPostgresql;
    final String reviveDeadManyPostgresql;
    final String reviveDead;
    final String markClaimed;
    final String rescueOrphan;
    final String keepClaimed;
    final String reclaimAlone;
    final String markDone;
    final String markFailed;
    final String giveBack;
    final String replay;
    final String replayDead;
    final String purgeDone;
    final String count;
    final String show;
    final String body;
    private final String table;
    private final String now;

    InboxSql(String table, Dialect dialect) {
        this.table = table;
        this.now = dialect.nowMillis();
        insert = format(INSERT);
        insertPostgresql = format(INSERT_POSTGRESQL);
        insertManyPostgresql = format(INSERT_MANY_POSTGRESQL);
        reviveDeadManyPostgresql = format(REVIVE_DEAD_MANY_POSTGRESQL);
        reviveDead = format(REVIVE_DEAD);
        markClaimed = format(MARK_CLAIMED);
        rescueOrphan = format(RESCUE_ORPHAN);
        keepClaimed = format(KEEP_CLAIMED);
        reclaimAlone = format(RECLAIM_ALONE);
        markDone = format(MARK_DONE);
        markFailed = format(MARK_FAILED);
        giveBack = format(GIVE_BACK);
        replay = format(REPLAY);
        replayDead = format(REPLAY_DEAD);
        purgeDone = format(PURGE_DONE);
        count = format(COUNT);
        show = format(SHOW);
        body = format(BODY);
    }

    String claimDuePostgresql(String schemes) {
        return String.format(CLAIM_DUE_POSTGRESQL, table, now, schemes);
    }

    String selectDue(String schemes) {
        return String.format(SELECT_DUE, table, now, schemes);
    }

    String selectOrphaned(String schemes) {
        return String.format(SELECT_ORPHANED, table, now, schemes);
    }

    String lockClaimed(int rows) {
        return String.format(LOCK_CLAIMED, table, now, placeholders(rows));
    }

    String list(int states) {
        return String.format(LIST, table, now, placeholders(states));
    }

    private String format(String statement) {
        return String.format(statement, table, now);
    }

    static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(count, "?"));
    }
}
