package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The fields of a parsed object: built once, then a read-only map that answers as a LinkedHashMap would. */
class FieldMapTest {

    /** A node standing for a value; nodes compare by identity, so each call makes a distinct value. */
    private static Node node(int value) {
        return new Node(Node.INT, (long) value, null, -1, -1);
    }

    /** An equal name that is not the same String, as a parser that does not intern names would hand over. */
    private static String copy(String name) {
        return new String(name.toCharArray());
    }

    @Test
    void answersAsALinkedHashMapBuiltFromTheSameFieldsOnBothSidesOfTheLinearLimit() {
        Random random = new Random(11);
        for (int run = 0; run < 300; run++) {
            FieldMap.Builder builder = FieldMap.builder();
            Map<String, Node> expected = new LinkedHashMap<>();
            // Name spaces on both sides of the linear limit, so some maps move to a LinkedHashMap while built.
            int names = 1 + random.nextInt(FieldMap.LINEAR_LIMIT * 2);
            for (int field = random.nextInt(80); field > 0; field--) {
                String name = "k" + random.nextInt(names);
                Node value = node(random.nextInt(1000));
                builder.put(random.nextBoolean() ? name : copy(name), value);
                expected.put(name, value);
            }
            FieldMap map = builder.build();
            assertThat(map.size()).isEqualTo(expected.size());
            assertThat(map.isEmpty()).isEqualTo(expected.isEmpty());
            for (int i = 0; i <= names; i++) {
                // In order and out of it, so that lookups start from a hint that is right and from one that is wrong.
                String name = "k" + (random.nextBoolean() ? i : random.nextInt(names + 1));
                String asked = random.nextBoolean() ? name : copy(name);
                assertThat(map.get(asked)).isSameAs(expected.get(name));
                assertThat(map.containsKey(asked)).isEqualTo(expected.containsKey(name));
            }
            assertThat(new ArrayList<>(map.entrySet())).containsExactlyElementsOf(expected.entrySet());
            assertThat(map.keySet()).containsExactlyElementsOf(expected.keySet());
            assertThat(map.values()).containsExactlyElementsOf(expected.values());
            assertThat(map).isEqualTo(expected);
            assertThat(map.hashCode()).isEqualTo(expected.hashCode());
            assertThat(map.entrySet().containsAll(expected.entrySet())).isTrue();
        }
    }

    @Test
    void aRepeatedNameKeepsItsFirstPlaceAndTakesTheLastValueWhetherOrNotItIsTheSameString() {
        for (int before : new int[] {0, 3, FieldMap.LINEAR_LIMIT - 1, FieldMap.LINEAR_LIMIT + 5}) {
            FieldMap.Builder builder = FieldMap.builder();
            builder.put("email", node(1));
            for (int i = 0; i < before; i++) {
                builder.put("f" + i, node(i));
            }
            Node last = node(3);
            builder.put(copy("email"), node(2)).put("email", last);
            FieldMap map = builder.build();
            assertThat(map.size()).isEqualTo(before + 1);
            assertThat(map.get("email")).isSameAs(last);
            assertThat(map.keySet().iterator().next()).isEqualTo("email");
        }
    }

    @Test
    void tellsApartNamesThatShareAHash() {
        // "Aa" and "BB" share String.hashCode, so the second passes the map's presence bit and needs equals.
        Node aa = node(1);
        FieldMap map = FieldMap.builder().put("Aa", aa).put("BB", node(2)).build();
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.get(copy("Aa"))).isSameAs(aa);
        assertThat(map.get("BB").longValue()).isEqualTo(2);
        assertThat(map.get("C#")).as("shares the hash, absent").isNull();
        assertThat(map.get("email")).isNull();
        assertThat(map.get(42)).isNull();
        assertThat(map.containsKey(null)).isFalse();
    }

    @Test
    void anObjectWithoutFieldsIsTheSharedEmptyMap() {
        assertThat(FieldMap.builder().build()).isSameAs(FieldMap.EMPTY).isEmpty();
        assertThat(FieldMap.EMPTY.get("a")).isNull();
        assertThat(FieldMap.EMPTY.entrySet()).isEmpty();
    }

    @Test
    void everyMutatorThrowsAndChangesNothing() {
        FieldMap.Builder large = FieldMap.builder();
        for (int i = 0; i < FieldMap.LINEAR_LIMIT + 1; i++) {
            large.put("f" + i, node(i));
        }
        for (FieldMap map : List.of(FieldMap.builder().put("a", node(1)).put("b", node(2)).build(), large.build(), FieldMap.EMPTY)) {
            Map<String, Node> before = new LinkedHashMap<>(map);
            String present = map.isEmpty() ? "a" : map.keySet().iterator().next();
            Node value = map.isEmpty() ? node(1) : map.get(present);
            List<ThrowingCallable> mutators = List.of(
                    () -> map.put("new", node(9)),
                    () -> map.put(present, node(9)),
                    () -> map.putAll(Map.of("new", node(9))),
                    () -> map.putAll(Map.of()),
                    () -> map.remove(present),
                    () -> map.remove("absent"),
                    () -> map.remove(present, value),
                    map::clear,
                    () -> map.putIfAbsent("new", node(9)),
                    () -> map.replace(present, node(9)),
                    () -> map.replace(present, value, node(9)),
                    () -> map.replaceAll((k, v) -> v),
                    () -> map.computeIfAbsent(present, k -> node(9)),
                    () -> map.computeIfPresent("absent", (k, v) -> v),
                    () -> map.compute(present, (k, v) -> v),
                    () -> map.merge(present, node(9), (a, b) -> b),
                    () -> map.entrySet().clear(),
                    () -> map.entrySet().removeIf(e -> false),
                    () -> map.entrySet().remove(Map.entry(present, value)),
                    () -> map.entrySet().removeAll(List.of()),
                    () -> map.entrySet().retainAll(List.of()),
                    () -> map.keySet().clear(),
                    () -> map.values().clear());
            for (ThrowingCallable mutator : mutators) {
                assertThatThrownBy(mutator).isInstanceOf(UnsupportedOperationException.class);
            }
            if (!map.isEmpty()) {
                // The views' other changes end in their iterator, or in an entry: read-only too.
                List<Consumer<FieldMap>> throughViews = List.of(
                        m -> removeFirst(m.entrySet().iterator()),
                        m -> removeFirst(m.keySet().iterator()),
                        m -> removeFirst(m.values().iterator()),
                        m -> m.keySet().remove(present),
                        m -> m.values().remove(value),
                        m -> m.entrySet().iterator().next().setValue(node(9)));
                for (Consumer<FieldMap> change : throughViews) {
                    assertThatThrownBy(() -> change.accept(map)).isInstanceOf(UnsupportedOperationException.class);
                }
            }
            assertThat(map).isEqualTo(before);
            assertThat(new ArrayList<>(map.keySet())).containsExactlyElementsOf(before.keySet());
        }
    }

    private static void removeFirst(Iterator<?> it) {
        it.next();
        it.remove();
    }

    @Test
    void aBuilderBuildsOnce() {
        FieldMap.Builder builder = FieldMap.builder().put("a", node(1));
        FieldMap map = builder.build();
        assertThatThrownBy(() -> builder.put("b", node(2))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalStateException.class);
        assertThat(map).containsOnlyKeys("a");
    }
}
