package dev.hookguard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of a parsed JSON object, in body order. Webhook objects are small (a Mautic contact has a dozen
 * fields), so up to {@link #LINEAR_LIMIT} fields live in three parallel arrays and are found by comparing cached
 * hashes; building one costs no entry objects and no hash table. Beyond that the fields move to a
 * {@link LinkedHashMap}, so a huge object never costs quadratic time. A full {@link Map}, writable like the
 * {@code LinkedHashMap} Jackson would have used, because users get these objects through {@code raw()}.
 */
final class FieldMap extends AbstractMap<String, JsonNode> {

    static final int LINEAR_LIMIT = 16;

    private String[] keys = new String[8];
    private int[] hashes = new int[8];
    private JsonNode[] values = new JsonNode[8];
    private int size;
    private int modifications;
    private LinkedHashMap<String, JsonNode> large;

    private int indexOf(Object key) {
        if (!(key instanceof String)) {
            return -1;
        }
        int hash = key.hashCode();
        for (int i = 0; i < size; i++) {
            if (hashes[i] == hash && (keys[i] == key || keys[i].equals(key))) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public JsonNode get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return large != null ? large.containsKey(key) : indexOf(key) >= 0;
    }

    @Override
    public int size() {
        return large != null ? large.size() : size;
    }

    @Override
    public JsonNode put(String key, JsonNode value) {
        if (large != null) {
            return large.put(key, value);
        }
        int i = indexOf(key);
        if (i >= 0) {
            JsonNode old = values[i];
            values[i] = value;
            return old;
        }
        if (size == LINEAR_LIMIT) {
            large = new LinkedHashMap<>(LINEAR_LIMIT * 4);
            for (int j = 0; j < size; j++) {
                large.put(keys[j], values[j]);
            }
            keys = null;
            hashes = null;
            values = null;
            size = 0;
            modifications++;
            return large.put(key, value);
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        hashes[size] = key.hashCode();
        values[size] = value;
        size++;
        modifications++;
        return null;
    }

    @Override
    public JsonNode remove(Object key) {
        if (large != null) {
            return large.remove(key);
        }
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        JsonNode old = values[i];
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        int tail = size - i - 1;
        System.arraycopy(keys, i + 1, keys, i, tail);
        System.arraycopy(hashes, i + 1, hashes, i, tail);
        System.arraycopy(values, i + 1, values, i, tail);
        size--;
        keys[size] = null;
        values[size] = null;
        modifications++;
    }

    @Override
    public void clear() {
        if (large != null) {
            large.clear();
            return;
        }
        Arrays.fill(keys, 0, size, null);
        Arrays.fill(values, 0, size, null);
        size = 0;
        modifications++;
    }

    @Override
    public Set<Entry<String, JsonNode>> entrySet() {
        return large != null ? large.entrySet() : new Entries();
    }

    private final class Entries extends AbstractSet<Entry<String, JsonNode>> {

        @Override
        public int size() {
            return FieldMap.this.size();
        }

        @Override
        public Iterator<Entry<String, JsonNode>> iterator() {
            if (large != null) {
                return large.entrySet().iterator();
            }
            return new Iterator<>() {
                private int next;
                private int last = -1;
                private int expected = modifications;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public Entry<String, JsonNode> next() {
                    if (expected != modifications) {
                        throw new ConcurrentModificationException();
                    }
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    last = next++;
                    return new Field(last, expected);
                }

                @Override
                public void remove() {
                    if (last < 0) {
                        throw new IllegalStateException();
                    }
                    if (expected != modifications) {
                        throw new ConcurrentModificationException();
                    }
                    removeAt(last);
                    next = last;
                    last = -1;
                    expected = modifications;
                }
            };
        }
    }

    /** A live entry: {@link #setValue} writes through, as {@code LinkedHashMap}'s entries do. */
    private final class Field implements Entry<String, JsonNode> {

        private final String key;
        private final int index;
        private final int expected;

        Field(int index, int expected) {
            this.key = keys[index];
            this.index = index;
            this.expected = expected;
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        public JsonNode getValue() {
            return expected == modifications ? values[index] : get(key);
        }

        @Override
        public JsonNode setValue(JsonNode value) {
            if (expected == modifications) {
                JsonNode old = values[index];
                values[index] = value;
                return old;
            }
            return put(key, value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry<?, ?> e && key.equals(e.getKey()) && java.util.Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ java.util.Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }
}
