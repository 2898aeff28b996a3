package dev.hookguard.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link IdempotencyStore} in this process's memory: bounded (the oldest entries go first) and expiring.
 * Right for one instance; behind a load balancer use {@code JdbcIdempotencyStore} so that all instances share it.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    private record Entry(boolean done, long expiresAtMillis) {
    }

    private final int maxEntries;
    private final long doneTtlMillis;
    private final long inFlightTtlMillis;
    private final Clock clock;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    private InMemoryIdempotencyStore(Builder b) {
        this.maxEntries = b.maxEntries;
        this.doneTtlMillis = b.doneTtl.toMillis();
        this.inFlightTtlMillis = b.inFlightTtl.toMillis();
        this.clock = b.clock;
    }

    /** 100,000 keys, remembered for 7 days once done; an unfinished claim expires after 5 minutes. */
    public static InMemoryIdempotencyStore withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized Claim claim(String key) {
        long now = clock.millis();
        Entry entry = entries.get(key);
        if (entry != null) {
            if (entry.expiresAtMillis > now) {
                return entry.done ? Claim.DONE : Claim.IN_FLIGHT;
            }
            // Taken over: re-inserted at the end, where insertion order keeps expiry order.
            entries.remove(key);
        }
        entries.put(key, new Entry(false, now + inFlightTtlMillis));
        evict(now);
        return Claim.CLAIMED;
    }

    @Override
    public synchronized void markDone(String key) {
        long now = clock.millis();
        entries.remove(key);
        entries.put(key, new Entry(true, now + doneTtlMillis));
        evict(now);
    }

    @Override
    public synchronized void release(String key) {
        Entry entry = entries.get(key);
        if (entry != null && !entry.done) {
            entries.remove(key);
        }
    }

    /** How many keys are remembered now. */
    public synchronized int size() {
        return entries.size();
    }

    private void evict(long now) {
        // Insertion order is also expiry order within each kind, so expired entries sit at the front.
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (entries.size() > maxEntries || e.getValue().expiresAtMillis <= now) {
                it.remove();
            } else {
                break;
            }
        }
    }

    /** Builds an {@link InMemoryIdempotencyStore}. */
    public static final class Builder {
        private int maxEntries = 100_000;
        private Duration doneTtl = Duration.ofDays(7);
        private Duration inFlightTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** At most this many keys; the oldest are forgotten first (default 100,000). */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be at least 1");
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** How long a handled key is remembered (default 7 days; newer Mautic retries for hours). */
        public Builder doneTtl(Duration doneTtl) {
            this.doneTtl = requirePositive(doneTtl, "doneTtl");
            return this;
        }

        /** How long a claim may stay unfinished before another delivery may take it (default 5 minutes). */
        public Builder inFlightTtl(Duration inFlightTtl) {
            this.inFlightTtl = requirePositive(inFlightTtl, "inFlightTtl");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public InMemoryIdempotencyStore build() {
            return new InMemoryIdempotencyStore(this);
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
