package dev.hookguard.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The store's mechanism alone: a ring of keys in append order, found through an open-addressing index. */
class KeyRingTest {

    /** The tests choose each key's hash, so that they can make hashes collide. */
    private static int hash(String key) {
        return key.hashCode();
    }

    @Test
    void findsWhatWasAppendedAndNotWhatWasRemoved() {
        KeyRing ring = new KeyRing(10);
        int a = ring.append("a", hash("a"), 1);
        int b = ring.append("b", hash("b"), 2);
        ring.append("\u043a\u043b\u044e\u0447", hash("\u043a\u043b\u044e\u0447"), 3);
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.find("a", hash("a"))).isEqualTo(a);
        assertThat(ring.find("\u043a\u043b\u044e\u0447", hash("\u043a\u043b\u044e\u0447"))).isNotNegative();
        assertThat(ring.find("c", hash("c"))).isEqualTo(-1);
        assertThat(ring.value(b)).isEqualTo(2);

        ring.setValue(b, 20);
        assertThat(ring.value(ring.find("b", hash("b")))).isEqualTo(20);

        ring.remove(b);
        assertThat(ring.find("b", hash("b"))).isEqualTo(-1);
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.oldest()).as("a hole in the middle leaves the front alone").isEqualTo(a);
        ring.remove(a);
        assertThat(ring.value(ring.oldest())).as("the front skips the hole b left").isEqualTo(3);
    }

    @Test
    void tellsKeysApartThatShareAHashOrDifferOnlyInTheirHighByte() {
        KeyRing ring = new KeyRing(10);
        // U+00E9 and U+01E9 share their low byte; "Aa" and "BB" share String.hashCode; all share the hash given here.
        List<String> keys = List.of("k\u00e9", "k\u01e9", "Aa", "BB", "K\u00e9", "k\u00e9 ");
        for (int i = 0; i < keys.size(); i++) {
            ring.append(keys.get(i), 42, i);
        }
        for (int i = 0; i < keys.size(); i++) {
            assertThat(ring.value(ring.find(keys.get(i), 42))).as(keys.get(i)).isEqualTo(i);
        }
        assertThat(ring.find("k\u00e9", 43)).as("the same key under another hash").isEqualTo(-1);
    }

    @Test
    void wrapsAroundItsSlotsAndItsArenaKeepingAppendOrder() {
        KeyRing ring = new KeyRing(3);
        List<String> appended = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // Keys of 1 to 400 bytes, some two bytes a character, so that the arena wraps in the middle of a key.
            String key = i % 3 == 0 ? "\u0436".repeat(1 + i % 200) + i : "key-" + "x".repeat(i % 300) + i;
            if (ring.size() == 3) {
                ring.removeOldest();
            }
            ring.append(key, hash(key), i);
            appended.add(key);
            int oldest = Math.max(0, i - 2);
            assertThat(ring.value(ring.oldest())).as("oldest after %d", i).isEqualTo(oldest);
            for (int j = oldest; j <= i; j++) {
                assertThat(ring.value(ring.find(appended.get(j), hash(appended.get(j))))).isEqualTo(j);
            }
            if (i >= 3) {
                assertThat(ring.find(appended.get(i - 3), hash(appended.get(i - 3)))).isEqualTo(-1);
            }
        }
    }

    @Test
    void deletionByShiftingKeepsTheRestOfAProbeRunFindable() {
        KeyRing ring = new KeyRing(64);
        List<String> keys = new ArrayList<>();
        // One long run of equal hashes, with keys of other hashes whose homes fall inside it.
        for (int i = 0; i < 40; i++) {
            String key = "k" + i;
            keys.add(key);
            ring.append(key, i % 2 == 0 ? 7 : hash(key), i);
        }
        Random random = new Random(3);
        List<String> left = new ArrayList<>(keys);
        while (!left.isEmpty()) {
            String gone = left.remove(random.nextInt(left.size()));
            int hashOfGone = keys.indexOf(gone) % 2 == 0 ? 7 : hash(gone);
            ring.remove(ring.find(gone, hashOfGone));
            assertThat(ring.find(gone, hashOfGone)).isEqualTo(-1);
            for (String key : left) {
                int i = keys.indexOf(key);
                assertThat(ring.find(key, i % 2 == 0 ? 7 : hash(key))).as("%s after %s went", key, gone).isNotNegative();
            }
        }
        assertThat(ring.size()).isZero();
        assertThat(ring.oldest()).isEqualTo(-1);
    }

    /**
     * Random appends, removals anywhere and removals of the oldest against a LinkedHashMap in append order, with
     * few distinct hashes so that probe runs are long, merge and wrap past the end of the index; small bounds so
     * that the ring wraps, grows and squeezes its holes out.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 40})
    void behavesLikeAMapInAppendOrder(int maxKeys) {
        long seed = 0xC0FFEE + maxKeys;
        Random random = new Random(seed);
        KeyRing ring = new KeyRing(maxKeys);
        LinkedHashMap<String, Long> model = new LinkedHashMap<>();
        int pool = 3 * maxKeys + 3;
        long next = 0;
        for (int op = 0; op < 20_000; op++) {
            int k = random.nextInt(pool);
            String key = k % 5 == 0 ? "\u043a-" + k + "-" + "y".repeat(k % 50) : "key-" + k;
            int hash = k % 4;
            int what = random.nextInt(10);
            String context = "seed " + seed + ", op " + op + ", key " + key;
            if (what < 5) {
                if (!model.containsKey(key)) {
                    if (model.size() == maxKeys) {
                        model.remove(model.keySet().iterator().next());
                        ring.removeOldest();
                    }
                    model.put(key, next);
                    ring.append(key, hash, next++);
                }
            } else if (what < 8) {
                int slot = ring.find(key, hash);
                assertEquals(model.containsKey(key), slot >= 0, context);
                if (slot >= 0) {
                    ring.remove(slot);
                    model.remove(key);
                }
            } else if (what < 9) {
                if (!model.isEmpty()) {
                    ring.removeOldest();
                    model.remove(model.keySet().iterator().next());
                }
            } else {
                int slot = ring.find(key, hash);
                if (slot >= 0) {
                    ring.setValue(slot, next);
                    model.put(key, next++);
                }
            }
            assertEquals(model.size(), ring.size(), context);
            assertEquals(model.isEmpty() ? null : model.values().iterator().next(),
                    ring.oldest() < 0 ? null : ring.value(ring.oldest()), context);
            for (int i = 0; i < pool; i++) {
                String probe = i % 5 == 0 ? "\u043a-" + i + "-" + "y".repeat(i % 50) : "key-" + i;
                int slot = ring.find(probe, i % 4);
                assertEquals(model.get(probe), slot < 0 ? null : ring.value(slot), context + ", find " + probe);
            }
        }
    }

    @Test
    void refusesWhatItsCallerMustPreventRatherThanCorruptItself() {
        KeyRing ring = new KeyRing(2);
        ring.append("a", 1, 1);
        int b = ring.append("b", 2, 2);
        assertThatThrownBy(() -> ring.append("c", 3, 3)).isInstanceOf(IllegalStateException.class);
        ring.remove(b);
        assertThatThrownBy(() -> ring.remove(b)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ring.size()).isEqualTo(1);
        ring.removeOldest();
        assertThatThrownBy(ring::removeOldest).isInstanceOf(IllegalStateException.class);
        assertThat(KeyRing.canHold("a".repeat(1000))).isTrue();
        assertThat(ring.hasRoomFor("a".repeat(1000))).isTrue();
        assertThat(ring.find("a", 1)).isEqualTo(-1);
    }
}
