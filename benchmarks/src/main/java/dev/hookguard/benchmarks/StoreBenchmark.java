package dev.hookguard.benchmarks;

import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One delivery's round trip through the default in-memory idempotency store (claim a new key, mark it done) once
 * the store is full at its default bound of 100,000 keys, against the least a bounded store must do: a
 * synchronized, insertion-ordered map that drops its eldest entry.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Thread)
public class StoreBenchmark {

    static final int KEYS = 100_000;

    IdempotencyStore store;
    Map<String, Long> map;
    long next;

    @Setup(Level.Trial)
    public void setUp() {
        store = InMemoryIdempotencyStore.withDefaults();
        map = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > KEYS;
            }
        };
        for (int i = 0; i < 2 * KEYS; i++) {
            hookguard();
            baseline();
        }
    }

    /** A fresh key each time, as every new delivery brings. */
    private String nextKey() {
        return "malcolm:bench00001:ws" + next++;
    }

    @Benchmark
    public IdempotencyStore.Claim hookguard() {
        String key = nextKey();
        IdempotencyStore.Claim claim = store.claim(key);
        store.markDone(key);
        return claim;
    }

    @Benchmark
    public Long baseline() {
        String key = nextKey();
        long now = System.currentTimeMillis();
        synchronized (map) {
            Long previous = map.putIfAbsent(key, now + 300_000);
            map.put(key, now + 604_800_000);
            return previous;
        }
    }
}
