package dev.hookguard.idempotency;

/**
 * Strings kept in the order they were appended, each with a {@code long} value the caller gives it, findable by key.
 * Knows nothing of what the values mean: the caller decides what to append and what to remove, including which keys
 * to give up when the ring is at its bound ({@link #removeOldest}).
 *
 * <p>Mechanism, not policy. The ring holds no object per key, not even the key string: a young collection has
 * nothing of it to copy or scan, where 100,000 remembered strings were copied from survivor space to survivor space
 * on every one. Each key is one slot of a ring of primitive arrays (its hash, where its characters start in a byte
 * arena, their count, its value); the arena is a ring too, filled and emptied in the same order; an open-addressing
 * index of {@code hash << 32 | slot + 1} finds a key's slot. A removed key leaves a hole in the ring, dropped when it
 * reaches the front and squeezed out when the ring is full; the oldest slot is never a hole.
 *
 * <p>A slot number stays valid until the next {@link #append}, which may renumber every slot. Not thread-safe: the
 * caller locks.
 */
final class KeyRing {

    /** The most arena bytes one ring takes; {@link #hasRoomFor} tells when an append would need more. */
    static final int MAX_ARENA_BYTES = 1 << 30;

    private static final int INITIAL_SLOTS = 64;
    private static final int INITIAL_ARENA_BYTES = INITIAL_SLOTS * 64;
    /** In {@link #starts}: the slot is a hole (a real start is an arena offset, never negative). */
    private static final int HOLE = -1;
    /** In {@link #sizes}, below the character count: the key is stored two bytes a character. */
    private static final int TWO_BYTE = 1;

    private final int maxKeys;
    private final int maxSlots;

    private int[] hashes;
    private int[] starts;
    private int[] sizes;
    private long[] values;
    /** The oldest slot, and how many slots (keys and holes) follow from it. */
    private int head;
    private int count;
    private int keys;
    private long[] index;
    private int indexShift;
    private byte[] arena;
    private int arenaHead;
    private int arenaUsed;
    /** Index slots looked at by {@link #find}: what a flood of colliding keys would make grow quadratically. */
    private long probes;

    /** A ring for at most {@code maxKeys} keys at a time; it starts small and grows as keys come. */
    KeyRing(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive");
        }
        this.maxKeys = maxKeys;
        // Room for holes, so that squeezing them out happens at most every maxKeys / 4 appends.
        this.maxSlots = maxKeys + Math.max(1, maxKeys / 4);
        allocate(Math.min(INITIAL_SLOTS, maxSlots), INITIAL_ARENA_BYTES);
    }

    /** How many keys the ring holds. */
    int size() {
        return keys;
    }

    /** Index slots looked at so far, for tests that prove lookups stay short. */
    long probes() {
        return probes;
    }

    /** The slot of {@code key}, whose hash is {@code hash}, or -1. */
    int find(String key, int hash) {
        int mask = index.length - 1;
        for (int i = home(hash); index[i] != 0; i = (i + 1) & mask) {
            probes++;
            long entry = index[i];
            if ((int) (entry >>> 32) == hash) {
                int slot = (int) entry - 1;
                if (matches(key, slot)) {
                    return slot;
                }
            }
        }
        return -1;
    }

    /** The slot of the key appended longest ago, or -1 when the ring is empty. */
    int oldest() {
        return count > 0 ? head : -1;
    }

    long value(int slot) {
        return values[slot];
    }

    void setValue(int slot, long value) {
        values[slot] = value;
    }

    /** Whether the arena could take {@code key} without dropping the oldest keys first (see {@link #MAX_ARENA_BYTES}). */
    boolean hasRoomFor(String key) {
        // Most keys pass the first test, which needs no look at their characters.
        return arenaUsed + 2L * key.length() <= MAX_ARENA_BYTES || arenaUsed + (long) byteLength(sizeOf(key)) <= MAX_ARENA_BYTES;
    }

    /** Whether an empty ring could take {@code key}. */
    static boolean canHold(String key) {
        return key.length() <= MAX_ARENA_BYTES / 2 || byteLength(sizeOf(key)) <= MAX_ARENA_BYTES;
    }

    /**
     * Appends {@code key}, which the ring must not hold, as the newest key, and answers its slot. The caller makes
     * room first: fewer than {@code maxKeys} keys, and {@link #hasRoomFor}.
     */
    int append(String key, int hash, long value) {
        if (keys >= maxKeys || !hasRoomFor(key)) {
            throw new IllegalStateException("no room: remove the oldest keys first");
        }
        int size = sizeOf(key);
        int bytes = byteLength(size);
        if (count == hashes.length || arenaUsed + bytes > arena.length) {
            // Grown while below the bound; at the bound the ring holds holes (keys < maxKeys), squeezed out here.
            int capacity = count == hashes.length ? (int) Math.min(maxSlots, 2L * count) : hashes.length;
            rebuild(capacity, arenaUsed + bytes);
        }
        int slot = head + count;
        if (slot >= hashes.length) {
            slot -= hashes.length;
        }
        int start = (arenaHead + arenaUsed) & (arena.length - 1);
        write(key, size, start);
        arenaUsed += bytes;
        hashes[slot] = hash;
        starts[slot] = start;
        sizes[slot] = size;
        values[slot] = value;
        count++;
        keys++;
        index(hash, slot);
        return slot;
    }

    /** Forgets the key in {@code slot}; other slots keep their numbers. */
    void remove(int slot) {
        unindex(hashes[slot], slot);
        starts[slot] = HOLE;
        keys--;
        // The arena is freed from the front only, so its bytes stay until the front passes them.
        while (count > 0 && starts[head] == HOLE) {
            int bytes = byteLength(sizes[head]);
            arenaHead = (arenaHead + bytes) & (arena.length - 1);
            arenaUsed -= bytes;
            head = head + 1 == hashes.length ? 0 : head + 1;
            count--;
        }
    }

    /** Forgets the key appended longest ago; the ring must not be empty. */
    void removeOldest() {
        if (count == 0) {
            throw new IllegalStateException("the ring is empty");
        }
        remove(head);
    }

    /** Takes the index entry of {@code slot} out; linear probing without tombstones, so the run behind it closes up. */
    private void unindex(int hash, int slot) {
        long wanted = (long) slot + 1;
        int mask = index.length - 1;
        int i = home(hash);
        for (long entry; ((entry = index[i]) & 0xFFFF_FFFFL) != wanted; i = (i + 1) & mask) {
            if (entry == 0) {
                // Checked before anything changes: a slot that holds no key would otherwise be searched for forever.
                throw new IllegalArgumentException("slot " + slot + " holds no key");
            }
        }
        // Later entries of the run move back into the gap unless their home lies (cyclically) after the gap.
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int k = home((int) (index[j] >>> 32));
            boolean staysPut = i <= j ? i < k && k <= j : i < k || k <= j;
            if (!staysPut) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
    }

    private void index(int hash, int slot) {
        int mask = index.length - 1;
        int i = home(hash);
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = ((long) hash << 32) | (slot + 1L);
    }

    private int home(int hash) {
        return (hash * 0x9E3779B9) >>> indexShift;
    }

    /** The character count shifted left by one, with {@link #TWO_BYTE} set when a character needs two bytes. */
    private static int sizeOf(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) > 0xFF) {
                return key.length() << 1 | TWO_BYTE;
            }
        }
        return key.length() << 1;
    }

    private static int byteLength(int size) {
        return (size >>> 1) << (size & TWO_BYTE);
    }

    private void write(String key, int size, int start) {
        int mask = arena.length - 1;
        if ((size & TWO_BYTE) == 0) {
            for (int i = 0; i < key.length(); i++) {
                arena[(start + i) & mask] = (byte) key.charAt(i);
            }
        } else {
            for (int i = 0, at = start; i < key.length(); i++, at += 2) {
                char c = key.charAt(i);
                arena[at & mask] = (byte) (c >> 8);
                arena[(at + 1) & mask] = (byte) c;
            }
        }
    }

    private boolean matches(String key, int slot) {
        int size = sizes[slot];
        if (size >>> 1 != key.length()) {
            return false;
        }
        int mask = arena.length - 1;
        int start = starts[slot];
        if ((size & TWO_BYTE) == 0) {
            for (int i = 0; i < key.length(); i++) {
                if ((arena[(start + i) & mask] & 0xFF) != key.charAt(i)) {
                    return false;
                }
            }
        } else {
            for (int i = 0, at = start; i < key.length(); i++, at += 2) {
                if (((arena[at & mask] & 0xFF) << 8 | (arena[(at + 1) & mask] & 0xFF)) != key.charAt(i)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Moves the keys, oldest first, into a ring of {@code capacity} slots and an arena of at least {@code bytes}. */
    private void rebuild(int capacity, int bytes) {
        int[] oldHashes = hashes;
        int[] oldStarts = starts;
        int[] oldSizes = sizes;
        long[] oldValues = values;
        byte[] oldArena = arena;
        int oldHead = head;
        int oldCount = count;
        int arenaBytes = arena.length;
        while (arenaBytes < bytes) {
            arenaBytes *= 2;
        }
        allocate(capacity, arenaBytes);
        int oldMask = oldArena.length - 1;
        for (int n = 0, slot = oldHead; n < oldCount; n++, slot = slot + 1 == oldHashes.length ? 0 : slot + 1) {
            if (oldStarts[slot] != HOLE) {
                int length = byteLength(oldSizes[slot]);
                for (int i = 0; i < length; i++) {
                    arena[arenaUsed + i] = oldArena[(oldStarts[slot] + i) & oldMask];
                }
                hashes[count] = oldHashes[slot];
                starts[count] = arenaUsed;
                sizes[count] = oldSizes[slot];
                values[count] = oldValues[slot];
                index(oldHashes[slot], count);
                arenaUsed += length;
                count++;
            }
        }
        keys = count;
    }

    private void allocate(int capacity, int arenaBytes) {
        hashes = new int[capacity];
        starts = new int[capacity];
        sizes = new int[capacity];
        values = new long[capacity];
        head = 0;
        count = 0;
        keys = 0;
        // At most half full, so that probe runs stay short.
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(2 * capacity - 1));
        index = new long[1 << bits];
        indexShift = 32 - bits;
        arena = new byte[Integer.highestOneBit(Math.max(arenaBytes - 1, 1)) << 1];
        arenaHead = 0;
        arenaUsed = 0;
    }
}
