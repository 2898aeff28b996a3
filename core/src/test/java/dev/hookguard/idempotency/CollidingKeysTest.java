package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys chosen so that their String.hashCode collide must not make the in-memory store quadratic. */
class CollidingKeysTest {

    /** "Aa" and "BB" share a hashCode, so every string of n such blocks shares one: 2^n colliding keys. */
    static List<String> collidingKeys(int count) {
        List<String> keys = new ArrayList<>(count);
        int blocks = 32 - Integer.numberOfLeadingZeros(count);
        for (int i = 0; i < count; i++) {
            StringBuilder key = new StringBuilder("malcolm:");
            for (int b = 0; b < blocks; b++) {
                key.append((i >> b & 1) == 0 ? "Aa" : "BB");
            }
            keys.add(key.toString());
        }
        return keys;
    }

    @Test
    void collidingHashCodesCostNoMoreThanRandomKeys() {
        List<String> colliding = collidingKeys(20_000);
        assertThat(colliding.stream().map(String::hashCode).distinct()).hasSize(1);
        List<String> random = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            random.add("malcolm:" + java.util.UUID.randomUUID());
        }
        // Counted in probes, not seconds: the same work for both, whatever the machine is doing.
        long collidingProbes = probes(colliding);
        long randomProbes = probes(random);
        assertThat(collidingProbes).isLessThan(3 * randomProbes + 20_000);
    }

    private static long probes(List<String> keys) {
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().build();
        for (String key : keys) {
            assertThat(store.claim(key)).isEqualTo(Claim.CLAIMED);
            store.markDone(key);
        }
        for (String key : keys) {
            assertThat(store.claim(key)).isEqualTo(Claim.DONE);
        }
        return store.probes();
    }
}
