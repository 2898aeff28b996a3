package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @Test
    void aTakenOverClaimCountsAsTheNewestSoTheBoundForgetsOlderKeysFirst() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).maxEntries(3)
                .inFlightTtl(Duration.ofSeconds(10)).doneTtl(Duration.ofHours(1)).build();
        store.claim("a");
        store.claim("b");
        store.markDone("b");
        clock.advance(11_000);
        assertThat(store.claim("a")).as("expired claim taken over").isEqualTo(Claim.CLAIMED);
        store.claim("c");
        store.claim("d");
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.claim("b")).as("b was the oldest left, so the bound forgot it").isEqualTo(Claim.CLAIMED);
        assertThat(store.claim("a")).isEqualTo(Claim.CLAIMED);
    }

    @Test
    void keysEqualButForCaseOrEncodingAreDifferentKeys() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).build();
        store.claim("Key-\u00e9");
        store.markDone("Key-\u00e9");
        assertThat(store.claim("key-\u00e9")).isEqualTo(Claim.CLAIMED);
        assertThat(store.claim("Key-\u01e9")).as("same low byte, another character").isEqualTo(Claim.CLAIMED);
        assertThat(store.claim("Key-\u00e9")).isEqualTo(Claim.DONE);
        assertThat(store.claim("Key-\u00e9 ")).isEqualTo(Claim.CLAIMED);
    }

    @Test
    void refusesBoundsItCannotHoldAndTtlsTooLongToCount() {
        assertThat(catchThrowable(() -> InMemoryIdempotencyStore.builder().maxEntries(0)))
                .hasMessageContaining("between 1 and");
        assertThat(catchThrowable(() -> InMemoryIdempotencyStore.builder().maxEntries(Integer.MAX_VALUE)))
                .hasMessageContaining("JdbcIdempotencyStore");
        assertThat(catchThrowable(() -> InMemoryIdempotencyStore.builder().doneTtl(Duration.ofSeconds(Long.MAX_VALUE))))
                .hasMessageContaining("too long");
    }

    @Test
    void aVeryLongTtlNeverExpires() {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).doneTtl(Duration.ofDays(365L * 100_000_000)).build();
        store.claim("k");
        store.markDone("k");
        clock.advance(Duration.ofDays(365L * 1000).toMillis());
        assertThat(store.claim("k")).isEqualTo(Claim.DONE);
    }

    /**
     * The store against a plain model of its rules (a map in claim order), over random claims, completions,
     * releases and clock moves, for bounds small enough to wrap the ring, grow it and squeeze out released slots.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 50, 300})
    void behavesLikeAMapInClaimOrder(int maxEntries) {
        Random random = new Random(maxEntries * 31L);
        for (int run = 0; run < 20; run++) {
            StoreContract.MutableClock time = new StoreContract.MutableClock();
            InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(time).maxEntries(maxEntries)
                    .inFlightTtl(Duration.ofMillis(100)).doneTtl(Duration.ofMillis(1_000)).build();
            Model model = new Model(maxEntries, 100, 1_000);
            int keySpace = 3 * maxEntries + 2;
            for (int op = 0; op < 3_000; op++) {
                // Short and long keys, one and two bytes a character, so that the arena wraps, grows and is squeezed.
                int k = random.nextInt(keySpace);
                String key = switch (k % 4) {
                    case 0 -> "key-" + k;
                    case 1 -> "\u043a\u043b\u044e\u0447-" + k;
                    case 2 -> "mautic:form_on_submit:sha256:" + "0123456789abcdef".repeat(4) + k;
                    default -> "caf\u00e9-" + k + "-\u00ff".repeat(k % 7);
                };
                int what = random.nextInt(100);
                long now = time.millis();
                if (what < 45) {
                    assertThat(store.claim(key)).as("claim %s at op %d", key, op).isEqualTo(model.claim(key, now));
                } else if (what < 75) {
                    store.markDone(key);
                    model.markDone(key, now);
                } else if (what < 90) {
                    store.release(key);
                    model.release(key);
                } else {
                    time.advance(random.nextInt(random.nextBoolean() ? 60 : 600));
                }
                assertThat(store.size()).as("size at op %d", op).isEqualTo(model.entries.size());
            }
        }
    }

    /** The rules, written plainly: entries in claim order; done in place; the front expires first. */
    private static final class Model {
        private final int maxEntries;
        private final long inFlightTtl;
        private final long doneTtl;
        /** key -> {expiresAt, done ? 1 : 0} */
        final LinkedHashMap<String, long[]> entries = new LinkedHashMap<>();

        Model(int maxEntries, long inFlightTtl, long doneTtl) {
            this.maxEntries = maxEntries;
            this.inFlightTtl = inFlightTtl;
            this.doneTtl = doneTtl;
        }

        Claim claim(String key, long now) {
            dropExpiredFront(now);
            long[] entry = entries.get(key);
            if (entry != null) {
                if (entry[0] > now) {
                    return entry[1] == 1 ? Claim.DONE : Claim.IN_FLIGHT;
                }
                entries.remove(key);
            }
            add(key, new long[] {now + inFlightTtl, 0});
            return Claim.CLAIMED;
        }

        void markDone(String key, long now) {
            long[] entry = entries.get(key);
            if (entry != null) {
                entry[0] = now + doneTtl;
                entry[1] = 1;
                return;
            }
            dropExpiredFront(now);
            add(key, new long[] {now + doneTtl, 1});
        }

        void release(String key) {
            long[] entry = entries.get(key);
            if (entry != null && entry[1] == 0) {
                entries.remove(key);
            }
        }

        private void add(String key, long[] entry) {
            if (entries.size() >= maxEntries) {
                Iterator<String> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
            entries.put(key, entry);
        }

        private void dropExpiredFront(long now) {
            for (Iterator<Map.Entry<String, long[]>> it = entries.entrySet().iterator(); it.hasNext(); ) {
                if (it.next().getValue()[0] <= now) {
                    it.remove();
                } else {
                    break;
                }
            }
        }
    }
}
