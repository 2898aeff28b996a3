package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest {

    private final StoreContract.MutableClock clock = new StoreContract.MutableClock();

    @Test
    void claimDoneAndRelease() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).build();
        StoreContract.claimDoneAndRelease(store);
    }

    @Test
    void claimsAndDoneKeysExpire() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock)
                .inFlightTtl(Duration.ofSeconds(30)).doneTtl(Duration.ofHours(1)).build();
        store.claim("stuck");
        clock.advance(31_000);
        assertThat(store.claim("stuck")).isEqualTo(Claim.CLAIMED);
        store.markDone("stuck");
        clock.advance(3_599_000);
        assertThat(store.claim("stuck")).isEqualTo(Claim.DONE);
        clock.advance(2_000);
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
