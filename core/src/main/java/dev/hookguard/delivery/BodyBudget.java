package dev.hookguard.delivery;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what reading webhook bodies may hold before any of them is authenticated: the bytes of bodies being
 * read, across every endpoint that shares this budget, and how many reads may wait on the network at once
 * (a read whose bytes have already arrived never waits, so it needs no place). Past either bound a delivery is
 * answered 503 with {@code Retry-After} instead of taking memory or a server thread. Thread-safe.
 *
 * <pre>{@code
 * BodyBudget budget = BodyBudget.builder().maxBytesInFlight(64L << 20).maxWaitingReads(32).build();
 * WebhookEndpoint.mautic().secrets(secret).bodyBudget(budget)...
 * }</pre>
 */
public final class BodyBudget {

    /** 32 MiB of bodies being read at once, in the whole process by default. */
    public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 32L * 1024 * 1024;
    /** 16 reads waiting on slow peers at once: well below any servlet container's thread pool. */
    public static final int DEFAULT_MAX_WAITING_READS = 16;

    private static final BodyBudget PROCESS_WIDE = builder().build();

    private final long maxBytes;
    private final int maxWaiting;
    private final AtomicLong bytes = new AtomicLong();
    private final Semaphore waiting;

    private BodyBudget(Builder b) {
        this.maxBytes = b.maxBytes;
        this.maxWaiting = b.maxWaiting;
        this.waiting = new Semaphore(b.maxWaiting);
    }

    /** The budget every endpoint shares unless given its own: {@value #DEFAULT_MAX_BYTES_IN_FLIGHT} bytes, 16 waiting reads. */
    public static BodyBudget processWide() {
        return PROCESS_WIDE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bytes reserved by bodies being read right now. */
    public long bytesInFlight() {
        return bytes.get();
    }

    /** How many reads are waiting on the network right now. */
    public int waitingReads() {
        return maxWaiting - waiting.availablePermits();
    }

    public long maxBytesInFlight() {
        return maxBytes;
    }

    public int maxWaitingReads() {
        return maxWaiting;
    }

    boolean tryReserve(long n) {
        while (true) {
            long current = bytes.get();
            if (current + n > maxBytes) {
                return false;
            }
            if (bytes.compareAndSet(current, current + n)) {
                return true;
            }
        }
    }

    void release(long n) {
        bytes.addAndGet(-n);
    }

    boolean tryEnterWait() {
        return waiting.tryAcquire();
    }

    void exitWait() {
        waiting.release();
    }

    @Override
    public String toString() {
        return "BodyBudget[" + bytesInFlight() + "/" + maxBytes + " bytes, " + waitingReads() + "/" + maxWaiting + " waiting reads]";
    }

    /** Builds a {@link BodyBudget}. */
    public static final class Builder {
        private long maxBytes = DEFAULT_MAX_BYTES_IN_FLIGHT;
        private int maxWaiting = DEFAULT_MAX_WAITING_READS;

        private Builder() {
        }

        /** The bytes all bodies being read may hold together (default 32 MiB); at least 64 KiB. */
        public Builder maxBytesInFlight(long maxBytes) {
            if (maxBytes < 64 * 1024) {
                throw new IllegalArgumentException("maxBytesInFlight must be at least 65536 bytes");
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** How many body reads may wait on slow peers at once (default 16); keep it below your server's thread pool. */
        public Builder maxWaitingReads(int maxWaiting) {
            if (maxWaiting < 1) {
                throw new IllegalArgumentException("maxWaitingReads must be at least 1");
            }
            this.maxWaiting = maxWaiting;
            return this;
        }

        public BodyBudget build() {
            return new BodyBudget(this);
        }
    }
}
