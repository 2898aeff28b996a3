package dev.hookguard.pms;

import dev.hookguard.delivery.DeliveryListener;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.spring.HookguardEndpointCustomizer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The last deliveries and how each ended (handled, duplicate, refused and why), for the page: what a newcomer
 * watching the demo wants to see without reading the console. Hooked into both endpoints as a delivery listener.
 *
 * <p>Besides the last {@value #KEPT}, it counts the last hour's deliveries by outcome in 5-minute buckets, for
 * the page's chart: a burst of a thousand deliveries would push most of them out of the list, not out of the counts.
 */
@Component
class RecentDeliveries implements HookguardEndpointCustomizer, DeliveryListener {

    /** One delivery's end: never its body, a secret or a signature. */
    record Entry(OffsetDateTime at, String sender, int status, String outcome) {
    }

    /** How a delivery ended, as the chart groups them. */
    enum Outcome {
        /** Handled (direct mode) or stored for the workers (inbox mode): 2xx. */
        ACCEPTED,
        /** Answered 200 without running the handler again. */
        DUPLICATE,
        /** Refused by Hookguard, 4xx: forged, malformed, too large, ... */
        REFUSED,
        /** The handler or the store failed, 5xx: the sender retries. */
        FAILED;

        static Outcome of(int status, String code) {
            if ("duplicate".equals(code)) {
                return DUPLICATE;
            }
            if (status >= 500) {
                return FAILED;
            }
            return status >= 300 ? REFUSED : ACCEPTED;
        }

        String cssClass() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Deliveries by outcome from {@code start}, for {@link #BUCKET}; counts indexed by {@link Outcome#ordinal()}. */
    record Bucket(Instant start, long[] counts) {

        long count(Outcome outcome) {
            return counts[outcome.ordinal()];
        }

        long total() {
            return java.util.Arrays.stream(counts).sum();
        }
    }

    static final int KEPT = 50;
    static final Duration BUCKET = Duration.ofMinutes(5);
    /** Twelve 5-minute buckets: the current one and the eleven before it. */
    static final int BUCKETS = 12;

    private final Deque<Entry> entries = new ArrayDeque<>();
    /** Bucket start (epoch second, a multiple of 300) to counts; pruned to the last {@link #BUCKETS} on write. */
    private final TreeMap<Long, long[]> counts = new TreeMap<>();
    private final Clock clock;

    @Autowired
    RecentDeliveries() {
        this(Clock.systemDefaultZone());
    }

    RecentDeliveries(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void customize(dev.hookguard.delivery.WebhookEndpoint.Builder<?> builder) {
        builder.listener(this);
    }

    @Override
    public void delivered(SignatureScheme scheme, int status, String code, long handlingNanos) {
        Instant now = clock.instant();
        synchronized (entries) {
            entries.addFirst(new Entry(OffsetDateTime.ofInstant(now, clock.getZone()), scheme.id(), status, code));
            while (entries.size() > KEPT) {
                entries.removeLast();
            }
            long bucket = bucketStart(now);
            counts.computeIfAbsent(bucket, b -> new long[Outcome.values().length])[Outcome.of(status, code).ordinal()]++;
            counts.headMap(bucket - (BUCKETS - 1) * BUCKET.toSeconds()).clear();
        }
    }

    /** Newest first. */
    List<Entry> newestFirst() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    /** The last {@link #BUCKETS} buckets, oldest first, the last one being the current (partial) one; empty ones too. */
    List<Bucket> lastHour() {
        long current = bucketStart(clock.instant());
        List<Bucket> buckets = new ArrayList<>(BUCKETS);
        synchronized (entries) {
            for (int i = BUCKETS - 1; i >= 0; i--) {
                long start = current - i * BUCKET.toSeconds();
                long[] kept = counts.get(start);
                buckets.add(new Bucket(Instant.ofEpochSecond(start), kept == null ? new long[Outcome.values().length] : kept.clone()));
            }
        }
        return buckets;
    }

    /** Buckets start on the clock's 5-minute marks (12:00, 12:05, ...), so the chart's labels read as times. */
    private static long bucketStart(Instant at) {
        long seconds = BUCKET.toSeconds();
        return Math.floorDiv(at.getEpochSecond(), seconds) * seconds;
    }

    Clock clock() {
        return clock;
    }
}
