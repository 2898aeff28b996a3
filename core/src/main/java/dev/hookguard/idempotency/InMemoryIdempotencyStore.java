package dev.hookguard.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link IdempotencyStore} in this process's memory: bounded (the oldest claims go first) and expiring.
 * Right for one instance; behind a load balancer use {@code JdbcIdempotencyStore} so that all instances share it.
 * Keys are hashed with SipHash under a random key of this store, so keys chosen to collide cost no more than
 * any others; from 65,536 keys on, the store is split into 16 stripes with a lock each.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** Beyond this, keys belong in a database: the arrays alone would take gigabytes. */
    static final int MAX_ENTRIES_LIMIT = 1 << 24;

    /** Above this many keys, the store is split into stripes with a lock each, so that claims on many threads do not queue on one lock. */
    static final int STRIPING_THRESHOLD = 65_536;
    private static final int STRIPES = 16;

    /*
     * The rules live here (claims, expiry, the bound); the keys live in a KeyRing per stripe, which knows nothing of
     * them. A key's state is the one long its ring keeps for it: its expiry shifted left by one, with the done flag
     * in the lowest bit. Expiries are capped well below Long.MAX_VALUE so that the shift never overflows.
     */
    private static final long DONE = 1L;
    private static final long MAX_EXPIRY = Long.MAX_VALUE >> 2;

    /** Each stripe's keys in claim order, locked by the stripe's own monitor. */
    private final KeyRing[] stripes;
    private final int maxEntriesPerStripe;
    private final long doneTtlMillis;
    private final long inFlightTtlMillis;
    private final Clock clock;
    /** The key of this store's SipHash: keys are sent by others, and String.hashCode collisions are easy to make. */
    private final long k0;
    private final long k1;

    private InMemoryIdempotencyStore(Builder b) {
        this.doneTtlMillis = b.doneTtl.toMillis();
        this.inFlightTtlMillis = b.inFlightTtl.toMillis();
        this.clock = b.clock;
        if (b.hashKey != null) {
            this.k0 = b.hashKey[0];
            this.k1 = b.hashKey[1];
        } else {
            java.security.SecureRandom random = new java.security.SecureRandom();
            this.k0 = random.nextLong();
            this.k1 = random.nextLong();
        }
        // Small stores stay one stripe, so the bound forgets exactly the oldest claim first.
        int count = b.maxEntries >= STRIPING_THRESHOLD ? STRIPES : 1;
        this.maxEntriesPerStripe = (b.maxEntries + count - 1) / count;
        this.stripes = new KeyRing[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new KeyRing(maxEntriesPerStripe);
        }
    }

    /** 100,000 keys, remembered for 7 days once done; an unfinished claim expires after 5 minutes. */
    public static InMemoryIdempotencyStore withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Answers what a remembered, unexpired key is; otherwise claims it as the newest claim, even when it takes over
     * an expired claim of the same key, so that the bound forgets it last.
     */
    @Override
    public Claim claim(String key) {
        long hash = SipHash.hash(k0, k1, key);
        KeyRing ring = stripe(hash);
        long now = clock.millis();
        synchronized (ring) {
            forgetExpiredFront(ring, now);
            int slot = ring.find(key, (int) hash);
            if (slot >= 0) {
                long state = ring.value(slot);
                if (expiry(state) > now) {
                    return isDone(state) ? Claim.DONE : Claim.IN_FLIGHT;
                }
                ring.remove(slot);
            }
            remember(ring, key, (int) hash, state(now, inFlightTtlMillis, false));
            return Claim.CLAIMED;
        }
    }

    /** Marks the key done where it stands in claim order; a key no longer remembered is remembered again, as done. */
    @Override
    public void markDone(String key) {
        long hash = SipHash.hash(k0, k1, key);
        KeyRing ring = stripe(hash);
        long now = clock.millis();
        synchronized (ring) {
            int slot = ring.find(key, (int) hash);
            long done = state(now, doneTtlMillis, true);
            if (slot >= 0) {
                ring.setValue(slot, done);
            } else {
                forgetExpiredFront(ring, now);
                remember(ring, key, (int) hash, done);
            }
        }
    }

    /** Forgets an unfinished claim; a done key stays done. */
    @Override
    public void release(String key) {
        long hash = SipHash.hash(k0, k1, key);
        KeyRing ring = stripe(hash);
        synchronized (ring) {
            int slot = ring.find(key, (int) hash);
            if (slot >= 0 && !isDone(ring.value(slot))) {
                ring.remove(slot);
            }
        }
    }

    /** How many keys are remembered now. */
    public int size() {
        int size = 0;
        for (KeyRing ring : stripes) {
            synchronized (ring) {
                size += ring.size();
            }
        }
        return size;
    }

    /** Index slots looked at so far, for tests that prove lookups stay short. */
    long probes() {
        long probes = 0;
        for (KeyRing ring : stripes) {
            synchronized (ring) {
                probes += ring.probes();
            }
        }
        return probes;
    }

    private KeyRing stripe(long hash) {
        return stripes[(int) (hash >>> 60) & (stripes.length - 1)];
    }

    /**
     * Appends a key as the newest claim. At the bound the oldest claim goes first; a stripe's arena at its byte
     * limit gives up its oldest claims too.
     */
    private void remember(KeyRing ring, String key, int hash, long state) {
        if (ring.size() >= maxEntriesPerStripe) {
            ring.removeOldest();
        }
        if (!KeyRing.canHold(key)) {
            throw new IllegalArgumentException("an idempotency key of " + key.length() + " characters is too long to remember");
        }
        while (!ring.hasRoomFor(key)) {
            ring.removeOldest();
        }
        ring.append(key, hash, state);
    }

    /**
     * Forgets expired keys at the front of the ring, the oldest claims; an expired key behind a live one stays
     * until it is claimed again (then taken over) or reaches the front, which keeps every call O(1) amortised.
     */
    private static void forgetExpiredFront(KeyRing ring, long now) {
        for (int slot = ring.oldest(); slot >= 0 && expiry(ring.value(slot)) <= now; slot = ring.oldest()) {
            ring.remove(slot);
        }
    }

    private static long state(long now, long ttlMillis, boolean done) {
        long at = now + ttlMillis;
        return (at < now || at > MAX_EXPIRY ? MAX_EXPIRY : at) << 1 | (done ? DONE : 0);
    }

    private static long expiry(long state) {
        return state >>> 1;
    }

    private static boolean isDone(long state) {
        return (state & DONE) != 0;
    }

    /** Builds an {@link InMemoryIdempotencyStore}. */
    public static final class Builder {
        private int maxEntries = 100_000;
        private Duration doneTtl = Duration.ofDays(7);
        private Duration inFlightTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private long[] hashKey;

        private Builder() {
        }

        /** At most this many keys, up to 16,777,216; the oldest claims are forgotten first (default 100,000). */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
                throw new IllegalArgumentException("maxEntries must be between 1 and " + MAX_ENTRIES_LIMIT
                        + "; keep more in a JdbcIdempotencyStore");
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

        /** For tests only: a fixed SipHash key, so that a run (stripes, index positions, collisions) can be repeated. */
        Builder hashKey(long k0, long k1) {
            this.hashKey = new long[] {k0, k1};
            return this;
        }

        public InMemoryIdempotencyStore build() {
            return new InMemoryIdempotencyStore(this);
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            try {
                d.toMillis();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + " is too long", e);
            }
            return d;
        }
    }
}
