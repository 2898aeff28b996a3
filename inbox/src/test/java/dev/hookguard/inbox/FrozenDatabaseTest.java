package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.FreezableProxy;
import dev.hookguard.testsupport.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A store into a database that neither answers nor refuses (frozen: a stalled disk, stopped processes, a dead link
 * without a reset), with no spool: it must fail within about its store timeout, so the request is answered 503 and the
 * sender retries, rather than hang until the sender gives up with a connection of the pool held forever.
 */
class FrozenDatabaseTest {

    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(1);
    /** The store timeout, the watch's tick and a scheduling margin on a loaded 2-core machine. */
    private static final Duration FAILS_WITHIN = Duration.ofMillis(2_500);

    private FreezableProxy proxy;
    private HikariDataSource pool;
    private JdbcInbox inbox;

    @BeforeEach
    void start() throws Exception {
        String url = TestPostgres.newDatabase();
        proxy = new FreezableProxy(Integer.parseInt(url.replaceFirst(".*//[^/:]+:(\\d+)/.*", "$1")));
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(proxy.wrap(url));
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(4);
        config.setConnectionTimeout(2_000);
        // Hikari checks a connection idle for 0.5 s before lending it, and on a frozen server that check waits its
        // whole validation timeout (5 s by default): bounded near the store timeout, as the README asks of a pool.
        config.setValidationTimeout(1_000);
        pool = new HikariDataSource(config);
        inbox = JdbcInbox.builder(pool).storeTimeout(STORE_TIMEOUT).build();
        inbox.initializeSchema();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pool.getHikariPoolMXBean().getIdleConnections() < 4 && System.nanoTime() < until) {
            Thread.sleep(20); // the pool's connections open before the freeze, as in a running application
        }
    }

    @AfterEach
    void stop() throws Exception {
        proxy.thaw();
        inbox.close();
        pool.close();
        proxy.close();
    }

    private static InboxDelivery session(String key) {
        return new InboxDelivery(SignatureScheme.MALCOLM, "", List.of(new InboxDelivery.Part(key, "session",
                ("{\"id\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8))), new byte[0], Headers.of(Map.of("User-Agent", "Malcolm")));
    }

    /** Milliseconds until the store failed; fails the test when it succeeded or took longer than 20 s. */
    private long failsAfterMillis(String key) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            long start = System.nanoTime();
            try {
                inbox.store(session(key));
            } catch (SQLException | InboxException e) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            throw new AssertionError("a store into a frozen database succeeded");
        }, "a store into a frozen database hangs past 20 s");
    }

    @Test
    void aLoneStoreIntoAFrozenDatabaseFailsWithinItsStoreTimeoutAndTheNextAfterTheThawIsStored() throws Exception {
        assertThat(inbox.store(session("before"))).isEqualTo(1);
        proxy.freeze();
        long took = failsAfterMillis("frozen");
        assertThat(took).as("failed after %d ms", took).isBetween(STORE_TIMEOUT.toMillis() - 50, FAILS_WITHIN.toMillis());

        proxy.thaw();
        assertThat(inbox.store(session("after"))).as("stored once the database answers again: the aborted connection is not reused").isEqualTo(1);
    }

    @Test
    void aPoolThatCannotAbortIsReportedOnceAndTheStoresAfterItKeepAQueryTimeout() throws Exception {
        javax.sql.DataSource direct = TestPostgres.dataSource(TestPostgres.newDatabase());
        // Connections whose abort is refused, as a pool older than JDBC 4.1 (or one that does not pass it on) would.
        javax.sql.DataSource cannotAbort = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {javax.sql.DataSource.class}, (ds, dsMethod, dsArgs) -> {
                    Object result = invoke(direct, dsMethod, dsArgs);
                    if (!dsMethod.getName().equals("getConnection")) {
                        return result;
                    }
                    java.sql.Connection real = (java.sql.Connection) result;
                    return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class},
                            (c, method, args) -> {
                                if (method.getName().equals("abort")) {
                                    throw new java.sql.SQLFeatureNotSupportedException("abort");
                                }
                                return invoke(real, method, args);
                            });
                });
        try (JdbcInbox refusing = JdbcInbox.builder(cannotAbort).storeTimeout(STORE_TIMEOUT).build();
             dev.hookguard.testsupport.LogCapture log = dev.hookguard.testsupport.LogCapture.of(JdbcInbox.class);
             java.sql.Connection locker = direct.getConnection();
             java.sql.Statement lock = locker.createStatement()) {
            refusing.initializeSchema();
            locker.setAutoCommit(false);
            lock.execute("lock table hookguard_inbox in exclusive mode"); // every insert waits, on a server that answers
            ExecutorService callers = Executors.newSingleThreadExecutor();
            try {
                Future<Integer> first = callers.submit(() -> refusing.store(session("waits-for-the-lock")));
                long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (log.lines().stream().noneMatch(l -> l.contains("cannot abort")) && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(log.lines()).as("reported when its first abort fails").anyMatch(l -> l.contains("cannot abort"));

                long start = System.nanoTime();
                SQLException second = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> org.junit.jupiter.api.Assertions.assertThrows(
                        SQLException.class, () -> refusing.store(session("cancelled-by-its-query-timeout"))), "the second store waits on the lock");
                long took = (System.nanoTime() - start) / 1_000_000;
                assertThat(second.getSQLState()).as(second.toString()).isEqualTo("57014");
                assertThat(took).as("failed after %d ms", took).isLessThan(FAILS_WITHIN.toMillis());

                locker.commit();
                assertThat(first.get(20, java.util.concurrent.TimeUnit.SECONDS)).as("the first, never aborted, stores once the lock is gone").isEqualTo(1);
                assertThat(log.lines().stream().filter(l -> l.contains("cannot abort"))).as("reported once").hasSize(1);
            } finally {
                callers.shutdownNow();
            }
        }
    }

    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void concurrentStoresIntoAFrozenDatabaseEachFailWithinTwiceTheStoreTimeout() throws Exception {
        assertThat(inbox.store(session("before"))).isEqualTo(1);
        proxy.freeze();
        ExecutorService callers = Executors.newFixedThreadPool(12);
        try {
            List<Future<Long>> tooks = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String key = "frozen-" + i;
                tooks.add(callers.submit(() -> failsAfterMillis(key)));
            }
            for (Future<Long> took : tooks) {
                // A queued store waits for its leader's commit, which the deadline ends: at most about twice the timeout.
                assertThat(took.get()).isLessThanOrEqualTo(STORE_TIMEOUT.toMillis() + FAILS_WITHIN.toMillis());
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
