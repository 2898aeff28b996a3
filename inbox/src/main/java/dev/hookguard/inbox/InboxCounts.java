package dev.hookguard.inbox;

import java.time.Duration;

/**
 * How many rows the inbox holds in each state, for gauges and health checks; ages by the database's clock.
 *
 * @param pending            stored, waiting for a worker (or for their next attempt)
 * @param running            held by a worker now
 * @param done               handled
 * @param dead               failed every attempt: replay them once fixed
 * @param oldestPendingAge   how long the oldest pending row has waited since it was stored
 * @param oldestDueAge       how long the longest-due pending row has been due without a worker taking it: near zero
 *                           while workers keep up; growing means no live worker anywhere, or too few
 */
public record InboxCounts(long pending, long running, long done, long dead, Duration oldestPendingAge, Duration oldestDueAge) {
}
