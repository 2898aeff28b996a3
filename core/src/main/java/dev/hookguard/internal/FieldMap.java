package dev.hookguard.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The fields of a parsed JSON object, in body order: built once by a {@link Builder}, read-only after (every mutator
 * throws {@link UnsupportedOperationException}). Webhook objects are small (a Mautic contact has a dozen fields), so
 * up to {@link #LINEAR_LIMIT} fields live in one array of alternating names and values: no entry objects and no hash
 * table. Beyond that the fields live in a {@link LinkedHashMap}, so a huge object never costs quadratic time.
 */
final class FieldMap extends AbstractMap<String, Node> {

    static final int LINEAR_LIMIT = 32;

    /** An object with no fields, as {@code {}} or PHP's {@code []} for an empty object. */
    static final FieldMap EMPTY = new FieldMap(new Object[0], 0, 0L, null);

    /** Name {@code i} at {@code 2i}, its value at {@code 2i + 1}, for {@code i < size}; null when {@link #large} holds the fields. */
    private final Object[] slots;
    private final int size;
    /**
     * One bit per name hash modulo 64: a clear bit proves a name absent without a search, so asking for an absent
     * optional field, and adding a new one while building, cost no scan.
     */
    private final long seen;
    /** The fields of an object of more than {@link #LINEAR_LIMIT}, unmodifiable; null otherwise. */
    private final Map<String, Node> large;
    /**
     * Where the last lookup found its name. Readers ask for fields mostly in the order the sender writes them, so the
     * search starts just after it. Only a hint, the one field written after construction: a stale value, even one
     * written by another thread, costs a longer search, never a wrong answer.
     */
    private int hint = -1;

    private FieldMap(Object[] slots, int size, long seen, Map<String, Node> large) {
        this.slots = slots;
        this.size = size;
        this.seen = seen;
        this.large = large;
    }

    static Builder builder() {
        return new Builder();
    }

    private static long bit(int hash) {
        // A shift uses the low six bits of its count: hash modulo 64.
        return 1L << hash;
    }

    /** Where {@code name} is among the first {@code count} names of {@code all}, searching from {@code start}; -1 when absent. */
    private static int indexOf(Object[] all, int count, String name, int hash, int start) {
        for (int n = 0, i = start; n < count; n++, i = i + 1 == count ? 0 : i + 1) {
            Object candidate = all[2 * i];
            // Parsed names are canonical in Jackson and names in code are literals, so identity settles nearly every
            // comparison; the cached hash settles the rest but true matches, which equals confirms.
            if (candidate == name || (candidate.hashCode() == hash && name.equals(candidate))) {
                return i;
            }
        }
        return -1;
    }

    private int indexOf(Object key) {
        if (!(key instanceof String name)) {
            return -1;
        }
        int hash = name.hashCode();
        if ((seen & bit(hash)) == 0) {
            return -1;
        }
        int start = hint + 1;
        if (start >= size) {
            start = 0;
        }
        int i = indexOf(slots, size, name, hash, start);
        if (i >= 0) {
            hint = i;
        }
        return i;
    }

    @Override
    public Node get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : (Node) slots[2 * i + 1];
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
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public Set<Entry<String, Node>> entrySet() {
        return large != null ? large.entrySet() : new Entries();
    }

    // Read-only: every mutator throws, even one that would change nothing, as Map.of's do.

    @Override
    public Node put(String key, Node value) {
        throw readOnly();
    }

    @Override
    public void putAll(Map<? extends String, ? extends Node> m) {
        throw readOnly();
    }

    @Override
    public Node remove(Object key) {
        throw readOnly();
    }

    @Override
    public void clear() {
        throw readOnly();
    }

    @Override
    public Node putIfAbsent(String key, Node value) {
        throw readOnly();
    }

    @Override
    public boolean remove(Object key, Object value) {
        throw readOnly();
    }

    @Override
    public boolean replace(String key, Node oldValue, Node newValue) {
        throw readOnly();
    }

    @Override
    public Node replace(String key, Node value) {
        throw readOnly();
    }

    @Override
    public void replaceAll(BiFunction<? super String, ? super Node, ? extends Node> function) {
        throw readOnly();
    }

    @Override
    public Node computeIfAbsent(String key, Function<? super String, ? extends Node> mappingFunction) {
        throw readOnly();
    }

    @Override
    public Node computeIfPresent(String key, BiFunction<? super String, ? super Node, ? extends Node> remappingFunction) {
        throw readOnly();
    }

    @Override
    public Node compute(String key, BiFunction<? super String, ? super Node, ? extends Node> remappingFunction) {
        throw readOnly();
    }

    @Override
    public Node merge(String key, Node value, BiFunction<? super Node, ? super Node, ? extends Node> remappingFunction) {
        throw readOnly();
    }

    private static UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("the fields of a parsed object are read-only");
    }

    /**
     * The fields of the array form, in body order; read-only like the map, entries included. {@link #keySet} and
     * {@link #values} are AbstractMap's views over it, whose changes end in its iterator or in the map, both of which
     * throw.
     */
    private final class Entries extends AbstractSet<Entry<String, Node>> {

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean contains(Object o) {
            if (!(o instanceof Entry<?, ?> e)) {
                return false;
            }
            int i = indexOf(e.getKey());
            return i >= 0 && slots[2 * i + 1].equals(e.getValue());
        }

        @Override
        public Iterator<Entry<String, Node>> iterator() {
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public Entry<String, Node> next() {
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    int i = next++;
                    return new SimpleImmutableEntry<>((String) slots[2 * i], (Node) slots[2 * i + 1]);
                }
            };
        }

        @Override
        public boolean remove(Object o) {
            throw readOnly();
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            throw readOnly();
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            throw readOnly();
        }

        @Override
        public boolean removeIf(Predicate<? super Entry<String, Node>> filter) {
            throw readOnly();
        }

        @Override
        public void clear() {
            throw readOnly();
        }
    }

    /**
     * Collects an object's fields in body order, then {@link #build}s its map once. A repeated name keeps its first
     * place and takes the last value, as in Jackson's own trees.
     */
    static final class Builder {

        private Object[] slots;
        private int size;
        private long seen;
        private LinkedHashMap<String, Node> large;
        private boolean built;

        private Builder() {
        }

        Builder put(String name, Node value) {
            if (built) {
                throw new IllegalStateException("this builder has built its map");
            }
            if (large != null) {
                large.put(name, value);
                return this;
            }
            int hash = name.hashCode();
            if ((seen & bit(hash)) != 0) {
                int i = indexOf(slots, size, name, hash, 0);
                if (i >= 0) {
                    slots[2 * i + 1] = value;
                    return this;
                }
            }
            if (size == LINEAR_LIMIT) {
                large = new LinkedHashMap<>(LINEAR_LIMIT * 4);
                for (int i = 0; i < size; i++) {
                    large.put((String) slots[2 * i], (Node) slots[2 * i + 1]);
                }
                large.put(name, value);
                slots = null;
                return this;
            }
            if (slots == null) {
                // Room for 8 fields, the size of a Mautic field object.
                slots = new Object[16];
            } else if (2 * size == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
            }
            slots[2 * size] = name;
            slots[2 * size + 1] = value;
            seen |= bit(hash);
            size++;
            return this;
        }

        /** The map of the fields put so far; the builder takes no more after. */
        FieldMap build() {
            if (built) {
                throw new IllegalStateException("this builder has built its map");
            }
            built = true;
            if (large != null) {
                return new FieldMap(null, 0, 0L, Collections.unmodifiableMap(large));
            }
            // The array is handed over, not copied: nothing else holds it once the builder is done.
            return size == 0 ? EMPTY : new FieldMap(slots, size, seen, null);
        }
    }
}
