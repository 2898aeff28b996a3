package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** What every {@link IdempotencyStore} must do, checked once for each implementation. */
final class StoreContract {

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        void advance(long by) {
            millis.addAndGet(by);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    private StoreContract() {
    }

    static void claimDoneAndRelease(IdempotencyStore store) {
        assertThat(store.claim("k")).isEqualTo(Claim.CLAIMED);
        assertThat(store.claim("k")).isEqualTo(Claim.IN_FLIGHT);
        store.release("k");
        assertThat(store.claim("k")).isEqualTo(Claim.CLAIMED);
        store.markDone("k");
        assertThat(store.claim("k")).isEqualTo(Claim.DONE);
        store.release("k");
        assertThat(store.claim("k")).as("release never forgets a finished key").isEqualTo(Claim.DONE);
    }
}
