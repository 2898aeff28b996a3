package dev.hookguard.internal;

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
 * fields), so up to {@link #LINEAR_LIMIT} fields live in one array of alternating keys and values; building one
 * costs two allocations, no entry objects and no hash table. Beyond that the fields move to a
 * {@link LinkedHashMap}, so a huge object never costs quadratic time.
 */
final class FieldMap extends AbstractMap<String, Node> {

    static final int LINEAR_LIMIT = 32;

    /** Key {@code i} at {@code 2i}, its value at {@code 2i + 1}; room for 8 fields, the size of a Mautic field object. */
    private Object[] slots = new Object[16];
    private int size;
    /**
     * One bit per key hash modulo 64: a clear bit proves a key absent without a search, so appending a new field
     * (what parsing does) and asking for an absent optional one cost no scan. Bits are never cleared.
     */
    private long seen;
    private int modifications;
    private LinkedHashMap<String, Node> large;
    /**
     * Where the last lookup found its key. Readers ask for fields mostly in the order the sender writes them, so the
     * search starts just after it. Only a hint: a stale value, even one written by another thread, costs a longer
     * search, never a wrong answer.
     */
    private int hint = -1;

    private int indexOf(Object key) {
        if (!(key instanceof String) || (seen & 1L << key.hashCode()) == 0) {
            return -1;
        }
        int count = size;
        if (count == 0) {
            return -1;
        }
        int start = hint + 1;
        if (start < 0 || start >= count) {
            start = 0;
        }
        Object[] all = slots;
        // Parsed names are interned by Jackson and names in code are literals, so identity finds nearly every key.
        for (int n = 0, i = start; n < count; n++, i = i + 1 == count ? 0 : i + 1) {
            if (all[2 * i] == key) {
                hint = i;
                return i;
            }
        }
        for (int i = 0; i < count; i++) {
            if (key.equals(all[2 * i])) {
                hint = i;
                return i;
            }
        }
        return -1;
    }

    private Node valueAt(int i) {
        return (Node) slots[2 * i + 1];
    }

    private String keyAt(int i) {
        return (String) slots[2 * i];
    }

    @Override
    public Node get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : valueAt(i);
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
    public Node put(String key, Node value) {
        if (large != null) {
            return large.put(key, value);
        }
        int i = indexOf(key);
        if (i >= 0) {
            Node old = valueAt(i);
            slots[2 * i + 1] = value;
            return old;
        }
        if (size == LINEAR_LIMIT) {
            large = new LinkedHashMap<>(LINEAR_LIMIT * 4);
            for (int j = 0; j < size; j++) {
                large.put(keyAt(j), valueAt(j));
            }
            slots = null;
            size = 0;
            modifications++;
            return large.put(key, value);
        }
        add(key, value);
        return null;
    }

    /**
     * Adds a field read by the parser, whose names Jackson interns: a repeated name is the same String, so the last
     * value wins (as in Jackson's own trees) without a single {@code equals} call.
     */
    void addParsed(String internedKey, Node value) {
        if (large == null && (seen & 1L << internedKey.hashCode()) != 0) {
            Object[] all = slots;
            for (int i = 0; i < size; i++) {
                if (all[2 * i] == internedKey) {
                    all[2 * i + 1] = value;
                    return;
                }
            }
        }
        if (large != null || size == LINEAR_LIMIT) {
            put(internedKey, value);
            return;
        }
        add(internedKey, value);
    }

    private void add(String key, Node value) {
        if (2 * size == slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
        slots[2 * size] = key;
        slots[2 * size + 1] = value;
        seen |= 1L << key.hashCode();
        size++;
        modifications++;
    }

    @Override
    public Node remove(Object key) {
        if (large != null) {
            return large.remove(key);
        }
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        Node old = valueAt(i);
        removeAt(i);
        return old;
    }

    private void removeAt(int i) {
        System.arraycopy(slots, 2 * i + 2, slots, 2 * i, 2 * (size - i - 1));
        size--;
        slots[2 * size] = null;
        slots[2 * size + 1] = null;
        modifications++;
    }

    @Override
    public void clear() {
        if (large != null) {
            large.clear();
            return;
        }
        Arrays.fill(slots, 0, 2 * size, null);
        size = 0;
        seen = 0;
        modifications++;
    }

    @Override
    public Set<Entry<String, Node>> entrySet() {
        return large != null ? large.entrySet() : new Entries();
    }

    private final class Entries extends AbstractSet<Entry<String, Node>> {

        @Override
        public int size() {
            return FieldMap.this.size();
        }

        @Override
        public Iterator<Entry<String, Node>> iterator() {
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
                public Entry<String, Node> next() {
                    if (expected != modifications) {
                        throw new ConcurrentModificationException();
                    }
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    last = next++;
                    return new LiveEntry(last, expected);
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
    private final class LiveEntry implements Entry<String, Node> {

        private final String key;
        private final int index;
        private final int expected;

        LiveEntry(int index, int expected) {
            this.key = keyAt(index);
            this.index = index;
            this.expected = expected;
        }

        @Override
        public String getKey() {
            return key;
        }

        @Override
        public Node getValue() {
            return expected == modifications ? valueAt(index) : get(key);
        }

        @Override
        public Node setValue(Node value) {
            if (expected == modifications) {
                Node old = valueAt(index);
                slots[2 * index + 1] = value;
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
