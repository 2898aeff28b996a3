package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact map is a full {@link Map}: it must behave as a LinkedHashMap. */
class FieldMapTest {

    /** A node standing for a value; nodes compare by identity, so each call makes a distinct value. */
    private static Node node(int value) {
        return new Node(Node.INT, (long) value, null, -1, -1);
    }

    @Test
    void behavesLikeLinkedHashMapUnderRandomChanges() {
        Random random = new Random(11);
        for (int run = 0; run < 300; run++) {
            FieldMap map = new FieldMap();
            Map<String, Node> expected = new LinkedHashMap<>();
            // Key spaces on both sides of the linear limit, so some maps switch to a LinkedHashMap mid-run.
            int keys = 1 + random.nextInt(FieldMap.LINEAR_LIMIT * 2);
            for (int step = 0; step < 60; step++) {
                String key = "k" + random.nextInt(keys);
                Node value = node(random.nextInt(1000));
                switch (random.nextInt(6)) {
                    case 0, 1, 2 -> assertThat(map.put(key, value)).isEqualTo(expected.put(key, value));
                    case 3 -> assertThat(map.remove(key)).isEqualTo(expected.remove(key));
                    case 4 -> removeThroughIterator(map, expected, key);
                    default -> setThroughEntry(map, expected, key, value);
                }
                assertThat(map.size()).isEqualTo(expected.size());
                assertThat(map.get(key)).isEqualTo(expected.get(key));
                assertThat(map.containsKey(key)).isEqualTo(expected.containsKey(key));
                assertThat(new ArrayList<>(map.entrySet())).containsExactlyElementsOf(expected.entrySet());
                assertThat(map).isEqualTo(expected);
                assertThat(map.hashCode()).isEqualTo(expected.hashCode());
            }
            map.clear();
            assertThat(map).isEmpty();
        }
    }

    private static void removeThroughIterator(FieldMap map, Map<String, Node> expected, String key) {
        for (Iterator<Map.Entry<String, Node>> it = map.entrySet().iterator(); it.hasNext(); ) {
            if (it.next().getKey().equals(key)) {
                it.remove();
            }
        }
        expected.remove(key);
    }

    private static void setThroughEntry(FieldMap map, Map<String, Node> expected, String key, Node value) {
        for (Map.Entry<String, Node> entry : map.entrySet()) {
            if (entry.getKey().equals(key)) {
                assertThat(entry.setValue(value)).isEqualTo(expected.put(key, value));
            }
        }
    }

    @Test
    void keepsInsertionOrderAcrossTheSwitchToAHashTable() {
        FieldMap map = new FieldMap();
        List<String> order = new ArrayList<>();
        for (int i = 0; i < FieldMap.LINEAR_LIMIT * 3; i++) {
            String key = "field-" + (i * 7919 % 1000);
            map.put(key, node(i));
            order.add(key);
        }
        Node replacement = node(-1);
        map.put(order.get(3), replacement);
        assertThat(map.keySet()).containsExactlyElementsOf(order);
        assertThat(map.get(order.get(3))).isSameAs(replacement);
        assertThat(map.get(order.get(4)).longValue()).isEqualTo(4);
    }

    @Test
    void findsKeysThatAreEqualButNotTheSameString() {
        FieldMap map = new FieldMap();
        Node one = node(1);
        map.put("email", one);
        assertThat(map.get(new String("email".toCharArray()))).isSameAs(one);
        assertThat(map.get("emai")).isNull();
        assertThat(map.get(42)).isNull();
    }

    @Test
    void iteratorFailsFastWhenTheMapChangesUnderIt() {
        FieldMap map = new FieldMap();
        map.put("a", node(1));
        map.put("b", node(2));
        Iterator<Map.Entry<String, Node>> it = map.entrySet().iterator();
        it.next();
        map.put("c", node(3));
        assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
    }
}
