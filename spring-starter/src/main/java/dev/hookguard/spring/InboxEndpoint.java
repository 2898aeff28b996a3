package dev.hookguard.spring;

import dev.hookguard.inbox.InboxCounts;
import dev.hookguard.inbox.InboxException;
import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.inbox.SpoolCounts;
import java.time.Instant;
import java.util.List;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The Actuator endpoint {@code hookguard} in inbox mode: the inbox's counts, the oldest due row's age, the live
 * workers, the spool's counts when there is one, and the newest dead rows with why they failed; one row by its key;
 * replay of one row or of every dead one. Never a body. Exposed, secured and limited
 * ({@code management.endpoint.hookguard.access=read-only}) by Actuator's own settings, like any endpoint; over HTTP
 * only once {@code management.endpoints.web.exposure.include} names it.
 *
 * <p>Answers hold only strings, numbers and booleans (times as ISO-8601 text), so both Boot lines' JSON, and JMX,
 * write them alike without Jackson modules.
 */
@Endpoint(id = "hookguard")
final class InboxEndpoint {

    /** The dead rows the summary lists, newest first: enough to see what broke, bounded however many died. */
    static final int DEAD_ROWS = 100;

    private final JdbcInbox inbox;
    /** {@code hookguard.log-exception-messages}: a stored failure's message may quote a payload value. */
    private final boolean showMessages;

    InboxEndpoint(JdbcInbox inbox, boolean showMessages) {
        this.inbox = inbox;
        this.showMessages = showMessages;
    }

    /**
     * {@code GET /actuator/hookguard}. While the database is away it still answers, with what this instance knows
     * alone (its workers, its spool) and {@code "database": "unreachable"}: that is when the spool's counts matter.
     */
    @ReadOperation
    public Summary summary() {
        Spool spool = inbox.spoolCounts().map(Spool::of).orElse(null);
        InboxCounts counts;
        List<Row> dead;
        try {
            counts = inbox.counts();
            dead = inbox.list(JdbcInbox.State.DEAD, DEAD_ROWS).stream().map(entry -> Row.of(entry, showMessages)).toList();
        } catch (InboxException e) {
            return new Summary(null, null, null, null, null, null, inbox.liveWorkers(), spool, null, "unreachable");
        }
        return new Summary(counts.pending(), counts.running(), counts.done(), counts.dead(), counts.oldestPendingAge().toSeconds(),
                counts.oldestDueAge().toSeconds(), inbox.liveWorkers(), spool, dead, null);
    }

    /**
     * {@code GET /actuator/hookguard/{key}}: the key's segments as the path holds them (a key may hold {@code /}); null,
     * which Actuator answers 404, when no row has it.
     */
    @ReadOperation
    public Row row(@Selector(match = Selector.Match.ALL_REMAINING) String[] key) {
        return inbox.show(String.join("/", key)).map(entry -> Row.of(entry, showMessages)).orElse(null);
    }

    /**
     * {@code POST /actuator/hookguard} with {@code {"key": "..."}} (in the JSON body, so any key fits) or
     * {@code {"allDead": true}}. A done or dead row is made pending, due now, its attempts counted from zero; a
     * pending or running row is refused (its worker has it: a replay never races a retry).
     */
    @WriteOperation
    public Replay replay(@Nullable String key, @Nullable Boolean allDead) {
        boolean all = Boolean.TRUE.equals(allDead);
        if (all == (key != null)) {
            throw new InvalidEndpointRequestException("give either the key of one row or allDead: true",
                    "give either {\"key\": \"...\"} or {\"allDead\": true}");
        }
        if (all) {
            return new Replay(null, null, inbox.replayDead(), null);
        }
        JdbcInbox.State state = inbox.show(key).map(InboxEntry::state).orElse(null);
        if (state == null) {
            return new Replay(key, null, 0, Replay.NOT_FOUND);
        }
        if ((state == JdbcInbox.State.DONE || state == JdbcInbox.State.DEAD) && inbox.replay(key)) {
            return new Replay(key, JdbcInbox.State.PENDING.name(), 1, null);
        }
        // Pending or running, or taken by a worker since it was read: left to its worker.
        JdbcInbox.State now = inbox.show(key).map(InboxEntry::state).orElse(state);
        return new Replay(key, now.name(), 0, Replay.REFUSED);
    }

    /**
     * The summary.
     *
     * @param oldestDueSeconds how long the longest-due pending row has waited for a worker: near zero while workers keep up
     * @param spool            what this instance's spool holds; null without {@code hookguard.inbox.spool.directory}
     * @param deadRows         the newest {@value #DEAD_ROWS} dead rows, newest first
     * @param database         {@code unreachable} while the database does not answer (the counts and rows are then null);
     *                         else null
     */
    record Summary(Long pending, Long running, Long done, Long dead, Long oldestPendingSeconds, Long oldestDueSeconds,
                   int liveWorkers, Spool spool, List<Row> deadRows, String database) {
    }

    /**
     * This instance's spool: deliveries acknowledged while the database was away and not yet stored in it.
     *
     * @param entries       deliveries waiting on this instance's disk
     * @param bytes         the journal's size on disk
     * @param oldestSeconds how long the oldest of them has waited
     * @param accepting     false at the spool's size or age bound: deliveries are then answered 503
     */
    record Spool(long entries, long bytes, long oldestSeconds, boolean accepting) {
        static Spool of(SpoolCounts counts) {
            return new Spool(counts.entries(), counts.bytes(), counts.oldestAge().toSeconds(), counts.accepting());
        }
    }

    /**
     * One row, without its body.
     *
     * @param key            as stored: what {@code show} and {@code replay} take ({@code sha256:...} for a key longer than 255)
     * @param eventType      null for a row stored before schema version 2
     * @param failureType    the class of what the handler threw, or the inbox's own reason ({@code not_handled},
     *                       {@code handler_timeout}, {@code worker_lost}); null when no attempt failed
     * @param failureMessage its message as the inbox stored it (cut, without NUL), only with
     *                       {@code hookguard.log-exception-messages=true}, since it may quote a payload value; else null
     * @param doneAt         null until handled
     */
    record Row(String key, String sender, String eventType, String state, int attempts, String failureType, String failureMessage,
               String receivedAt, String nextAttemptAt, String doneAt) {

        static Row of(InboxEntry entry, boolean showMessages) {
            return new Row(entry.key(), entry.scheme().id(), entry.eventType().filter(t -> !t.isEmpty()).orElse(null), entry.state().name(),
                    entry.attempts(), entry.failure().map(InboxEntry.Failure::type).orElse(null),
                    showMessages ? entry.failure().flatMap(InboxEntry.Failure::message).orElse(null) : null, entry.receivedAt().toString(),
                    entry.nextAttemptAt().toString(), entry.doneAt().map(Instant::toString).orElse(null));
        }
    }

    /**
     * What a replay did.
     *
     * @param key      the row asked for; null for all dead rows
     * @param state    the row's state after it: {@code PENDING} when replayed, else the state that refused it
     * @param replayed how many rows were made pending
     * @param error    null when it was replayed, else why not
     */
    record Replay(String key, String state, int replayed, String error) {
        static final String NOT_FOUND = "no inbox row has this key";
        static final String REFUSED = "only a DONE or DEAD row is replayed; a PENDING or RUNNING one is left to its worker";
    }
}
