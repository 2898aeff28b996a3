package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        public ZoneOffset getZone() { return ZoneOffset.UTC; }
        public Clock withZone(java.time.ZoneId zone) { return this; }
        public Instant instant() { return Instant.ofEpochMilli(now.get()); }
    };

    @Test
    void claimDoneAndRelease() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).build();
        assertThat(store.claim("k")).isEqualTo(Claim.CLAIMED);
        assertThat(store.claim("k")).isEqualTo(Claim.IN_FLIGHT);
        store.release("k");
        assertThat(store.claim("k")).isEqualTo(Claim.CLAIMED);
        store.markDone("k");
        assertThat(store.claim("k")).isEqualTo(Claim.DONE);
        store.release("k");
        assertThat(store.claim("k")).as("release never forgets a finished key").isEqualTo(Claim.DONE);
    }

    @Test
    void claimsAndDoneKeysExpire() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock)
                .inFlightTtl(Duration.ofSeconds(30)).doneTtl(Duration.ofHours(1)).build();
        store.claim("stuck");
        now.addAndGet(31_000);
        assertThat(store.claim("stuck")).isEqualTo(Claim.CLAIMED);
        store.markDone("stuck");
        now.addAndGet(3_599_000);
        assertThat(store.claim("stuck")).isEqualTo(Claim.DONE);
        now.addAndGet(2_000);
        assertThat(store.claim("stuck")).isEqualTo(Claim.CLAIMED);
    }

    @Test
    void staysWithinItsBoundForgettingTheOldestFirst() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).maxEntries(100).build();
        for (int i = 0; i < 1000; i++) {
            store.claim("k" + i);
            store.markDone("k" + i);
        }
        assertThat(store.size()).isEqualTo(100);
        assertThat(store.claim("k999")).isEqualTo(Claim.DONE);
        assertThat(store.claim("k0")).isEqualTo(Claim.CLAIMED);
    }

    @Test
    void exactlyOneOfManyRacingCallersClaimsAKey() throws Exception {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.withDefaults();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (int round = 0; round < 50; round++) {
                String key = "race-" + round;
                List<Callable<Claim>> tasks = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    tasks.add(() -> store.claim(key));
                }
                int claimed = 0;
                for (Future<Claim> f : pool.invokeAll(tasks)) {
                    claimed += f.get() == Claim.CLAIMED ? 1 : 0;
                }
                assertThat(claimed).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
