package dev.hookguard.inbox;

import java.time.Duration;

/**
 * What an instance's spool holds: deliveries acknowledged while the database was away and not yet stored in it.
 *
 * @param entries   deliveries waiting on this instance's disk
 * @param bytes     the journal's size on disk
 * @param oldestAge how long the oldest of them has waited (by this instance's clock): near zero unless the database
 *                  is away or slower than what arrives
 * @param accepting false when the spool is at its size or age bound: deliveries are then answered 503
 */
public record SpoolCounts(long entries, long bytes, Duration oldestAge, boolean accepting) {
}
