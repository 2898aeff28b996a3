package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hookguard.idempotency.IdempotencyStore.Claim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The in-memory store against a plain model of its rules (a HashMap per stripe from key to state, expiry and place
 * in claim order), over 100,000 random claims, completions, releases and clock moves, from a small pool of keys so
 * that re-claims, take-overs, expiries and evictions keep happening. Same answer and same size at every step.
 *
 * <p>Deterministic: a fixed seed for the operations and a fixed SipHash key for the store, so that a failure (which
 * names the seed and the step) happens again on every run. Another seed: {@code -Dhookguard.storeModel.seed=...}.
 */
class InMemoryStoreModelTest {

    private static final long SEED = Long.getLong("hookguard.storeModel.seed", 0x5EED_0024L);
    private static final long HASH_K0 = 0x0706050403020100L;
    private static final long HASH_K1 = 0x0F0E0D0C0B0A0908L;
    private static final int OPERATIONS = 100_000;
    private static final long IN_FLIGHT_TTL = 100;
    private static final long DONE_TTL = 1_000;
    private static final List<String> KEYS = keyPool();

    /** Bounds that evict all the time, now and then, and never; the last splits the store into stripes. */
    @ParameterizedTest(name = "maxEntries {0}")
    @ValueSource(ints = {1, 7, 30, 1_000, InMemoryIdempotencyStore.STRIPING_THRESHOLD})
    void answersAsThePlainModelDoesAtEveryStep(int maxEntries) {
        StoreContract.MutableClock clock = new StoreContract.MutableClock();
        InMemoryIdempotencyStore store = InMemoryIdempotencyStore.builder().clock(clock).maxEntries(maxEntries)
                .inFlightTtl(Duration.ofMillis(IN_FLIGHT_TTL)).doneTtl(Duration.ofMillis(DONE_TTL))
                .hashKey(HASH_K0, HASH_K1).build();
        Model model = new Model(maxEntries);
        Random random = new Random(SEED);
        long start = clock.millis();
        Map<Claim, Integer> answers = new EnumMap<>(Claim.class);
        for (int op = 0; op < OPERATIONS; op++) {
            String key = KEYS.get(random.nextInt(KEYS.size()));
            int what = random.nextInt(100);
            long now = clock.millis();
            int step = op;
            String action;
            if (what < 40) {
                action = "claim";
                Claim expected = model.claim(key, now);
                Claim actual = store.claim(key);
                assertEquals(expected, actual, () -> failure(maxEntries, step, "claim", key, now - start, model));
                answers.merge(actual, 1, Integer::sum);
            } else if (what < 65) {
                action = "markDone";
                model.markDone(key, now);
                store.markDone(key);
            } else if (what < 80) {
                action = "release";
                model.release(key);
                store.release(key);
            } else {
                // Mostly within a claim's TTL; now and then past it, or past a done key's.
                int scale = random.nextInt(10);
                long by = random.nextInt(scale < 5 ? 30 : scale < 8 ? 150 : 1_200);
                action = "advance " + by + " ms";
                clock.advance(by);
            }
            String done = action;
            assertEquals(model.size(), store.size(), () -> failure(maxEntries, step, done + ", then size", key, now - start, model));
        }
        // The run must have met every rule, or agreeing proves little.
        assertThat(answers).as("answers").containsOnlyKeys(Claim.values()).allSatisfy((claim, n) -> assertThat(n).isGreaterThan(100));
        // With room for one key, an expired key is always the front, forgotten before it could be taken over.
        assertThat(model.takeOvers).as("expired claims taken over").matches(n -> maxEntries == 1 ? n == 0 : n > 100);
        assertThat(model.expiredAtFront).as("keys forgotten at the front on expiry").isGreaterThan(100);
        assertThat(model.evicted).as("keys forgotten at the bound").matches(n -> maxEntries < KEYS.size() ? n > 100 : n == 0);
    }

    @Test
    void thePoolHoldsKeysWhoseHashesCollide() {
        List<Integer> hashes = new ArrayList<>();
        for (String key : KEYS) {
            hashes.add((int) SipHash.hash(HASH_K0, HASH_K1, key));
        }
        assertThat(hashes.stream().distinct().count()).as("pairs of keys share the store's 32-bit hash").isLessThan(KEYS.size());
        assertThat(KEYS.stream().map(String::hashCode).distinct().count()).as("keys share String.hashCode").isLessThan(KEYS.size());
    }

    private static String failure(int maxEntries, int op, String action, String key, long at, Model model) {
        return "seed 0x" + Long.toHexString(SEED) + ", maxEntries " + maxEntries + ", operation " + op + ": " + action
                + " of '" + key + "' at +" + at + " ms; the model holds " + model.describe(key);
    }

    /**
     * Short and long keys, one and two bytes a character; keys that share String.hashCode (as in
     * {@link CollidingKeysTest}); and pairs that share the low 32 bits of the store's SipHash under the fixed key, so
     * that the store's index must tell keys of equal hashes apart.
     */
    private static List<String> keyPool() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add("delivery-" + i);
        }
        for (int i = 0; i < 4; i++) {
            keys.add("\u043a\u043b\u044e\u0447-" + i);
            keys.add("caf\u00e9-" + i + "-\u00ff".repeat(i));
        }
        for (int i = 0; i < 3; i++) {
            keys.add("mautic:form_on_submit:sha256:" + "0123456789abcdef".repeat(8) + i);
        }
        keys.addAll(CollidingKeysTest.collidingKeys(4));
        Map<Integer, String> byHash = new HashMap<>();
        int pairs = 0;
        for (int i = 0; pairs < 3; i++) {
            String candidate = "sip-" + i;
            String earlier = byHash.putIfAbsent((int) SipHash.hash(HASH_K0, HASH_K1, candidate), candidate);
            if (earlier != null) {
                keys.add(earlier);
                keys.add(candidate);
                pairs++;
            }
        }
        return List.copyOf(keys);
    }

    /**
     * The store's documented rules, written plainly. Per stripe: a key claimed or done is remembered with its expiry
     * and its place in claim order; done in place keeps the place; a take-over is the newest claim; expired keys at
     * the front (the oldest place) are forgotten before a key is added; at the bound the oldest goes first.
     */
    private static final class Model {

        private record Entry(boolean done, long expiresAt, long order) {
        }

        private final List<Map<String, Entry>> stripes = new ArrayList<>();
        private final int maxPerStripe;
        private long nextOrder;
        int takeOvers;
        int expiredAtFront;
        int evicted;

        Model(int maxEntries) {
            int count = maxEntries >= InMemoryIdempotencyStore.STRIPING_THRESHOLD ? 16 : 1;
            for (int i = 0; i < count; i++) {
                stripes.add(new HashMap<>());
            }
            this.maxPerStripe = (maxEntries + count - 1) / count;
        }

        Claim claim(String key, long now) {
            Map<String, Entry> stripe = stripeOf(key);
            forgetExpiredFront(stripe, now);
            Entry entry = stripe.get(key);
            if (entry != null) {
                if (entry.expiresAt > now) {
                    return entry.done ? Claim.DONE : Claim.IN_FLIGHT;
                }
                stripe.remove(key);
                takeOvers++;
            }
            add(stripe, key, false, now + IN_FLIGHT_TTL);
            return Claim.CLAIMED;
        }

        void markDone(String key, long now) {
            Map<String, Entry> stripe = stripeOf(key);
            Entry entry = stripe.get(key);
            if (entry != null) {
                stripe.put(key, new Entry(true, now + DONE_TTL, entry.order));
                return;
            }
            forgetExpiredFront(stripe, now);
            add(stripe, key, true, now + DONE_TTL);
        }

        void release(String key) {
            Map<String, Entry> stripe = stripeOf(key);
            Entry entry = stripe.get(key);
            if (entry != null && !entry.done) {
                stripe.remove(key);
            }
        }

        int size() {
            int size = 0;
            for (Map<String, Entry> stripe : stripes) {
                size += stripe.size();
            }
            return size;
        }

        String describe(String key) {
            Entry entry = stripeOf(key).get(key);
            return (entry == null ? "no entry for it" : entry.toString()) + " (" + size() + " keys)";
        }

        private Map<String, Entry> stripeOf(String key) {
            // As the store picks a stripe: the top bits of the key's SipHash.
            return stripes.get((int) (SipHash.hash(HASH_K0, HASH_K1, key) >>> 60) & (stripes.size() - 1));
        }

        private void add(Map<String, Entry> stripe, String key, boolean done, long expiresAt) {
            if (stripe.size() >= maxPerStripe) {
                stripe.remove(oldest(stripe));
                evicted++;
            }
            stripe.put(key, new Entry(done, expiresAt, nextOrder++));
        }

        private void forgetExpiredFront(Map<String, Entry> stripe, long now) {
            for (String oldest = oldest(stripe); oldest != null && stripe.get(oldest).expiresAt <= now; oldest = oldest(stripe)) {
                stripe.remove(oldest);
                expiredAtFront++;
            }
        }

        private static String oldest(Map<String, Entry> stripe) {
            String oldest = null;
            long order = Long.MAX_VALUE;
            for (Map.Entry<String, Entry> e : stripe.entrySet()) {
                if (e.getValue().order < order) {
                    order = e.getValue().order;
                    oldest = e.getKey();
                }
            }
            return oldest;
        }
    }
}
