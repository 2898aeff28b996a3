package dev.hookguard.inbox;

import java.time.Duration;

/**
 * How many rows the inbox holds in each state, for gauges and health checks.
 *
 * @param pending            stored, waiting for a worker (or for their next attempt)
 * @param running            held by a worker now
 * @param done               handled
 * @param dead               failed every attempt, or no handler took them: replay them once fixed
 * @param oldestPendingAge   how long the oldest pending row has waited
 */
public record InboxCounts(long pending, long running, long done, long dead, Duration oldestPendingAge) {
}
