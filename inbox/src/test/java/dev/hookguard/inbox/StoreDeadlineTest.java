package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watch that aborts stores past their deadline: with no thread or timer of their own. */
class StoreDeadlineTest {

    private static final Runnable NOTHING = () -> { };

    /** A connection that counts down {@code aborted} when aborted, and throws {@code failure} from abort when set. */
    private static Connection connection(CountDownLatch aborted, Throwable failure) {
        return (Connection) Proxy.newProxyInstance(StoreDeadlineTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    if (method.getName().equals("abort")) {
                        aborted.countDown();
                        if (failure != null) {
                            throw failure;
                        }
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aStorePastItsDeadlineHasItsConnectionAbortedWithinATickOrTwo() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        long start = System.nanoTime();
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(200), NOTHING);
        assertThat(aborted.await(2, TimeUnit.SECONDS)).as("aborted").isTrue();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(took).as("aborted after %d ms", took).isGreaterThanOrEqualTo(200);
        deadline.close();
    }

    @Test
    void aStoreThatEndsBeforeItsDeadlineIsNeverAborted() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(300), NOTHING);
        deadline.close(); // its connection is back in the pool: another request may hold it now
        assertThat(aborted.await(800, TimeUnit.MILLISECONDS)).as("aborted after it ended").isFalse();
    }

    @Test
    void theWatchParkedForWantOfStoresWakesForTheNextOne() throws Exception {
        // Well past the second of quiet after which the watch parks (no other store runs in this JVM's unit tests here).
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(StoreDeadline.TICK_NANOS) * 15);
        until(StoreDeadline::idle);
        CountDownLatch aborted = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(100), NOTHING);
        assertThat(aborted.await(2, TimeUnit.SECONDS)).as("aborted although the watch had parked").isTrue();
        deadline.close();
    }

    @Test
    void theWatchEndsAfterAQuietSpellAndTheNextStoreStartsItAgainAndIsWatched() throws Exception {
        long before = StoreDeadline.exitAfterNanos;
        StoreDeadline.exitAfterNanos = TimeUnit.MILLISECONDS.toNanos(300);
        try {
            StoreDeadline.abortAfter(connection(new CountDownLatch(1), null), TimeUnit.SECONDS.toNanos(30), NOTHING).close();
            until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("hookguard-store-watch")), 10);
            CountDownLatch aborted = new CountDownLatch(1);
            StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(100), NOTHING);
            assertThat(aborted.await(2, TimeUnit.SECONDS)).as("watched by a watch started again").isTrue();
            deadline.close();
        } finally {
            StoreDeadline.exitAfterNanos = before;
        }
    }

    @Test
    void anAbortThatBlocksNeverKeepsTheWatchFromTheOtherStores() throws Exception {
        // Closing a TLS socket waits for a write the frozen server never takes: that abort must not hold the watch.
        CountDownLatch blockedAbortBegan = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Connection blocking = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    blockedAbortBegan.countDown();
                    release.await(20, TimeUnit.SECONDS);
                    return null;
                });
        StoreDeadline stuck = StoreDeadline.abortAfter(blocking, TimeUnit.MILLISECONDS.toNanos(50), NOTHING);
        try {
            assertThat(blockedAbortBegan.await(2, TimeUnit.SECONDS)).isTrue();
            CountDownLatch aborted = new CountDownLatch(1);
            StoreDeadline other = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(100), NOTHING);
            assertThat(aborted.await(2, TimeUnit.SECONDS)).as("another store aborted while the first abort blocks").isTrue();
            other.close();
        } finally {
            release.countDown();
            stuck.close();
        }
    }

    @Test
    void aPoolThatCannotAbortIsReportedSoItsOwnerFallsBackToAQueryTimeout() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, new java.sql.SQLFeatureNotSupportedException("abort")),
                TimeUnit.MILLISECONDS.toNanos(50), reported::countDown);
        assertThat(reported.await(2, TimeUnit.SECONDS)).as("reported").isTrue();
        java.sql.SQLException serverSays = new java.sql.SQLException("duplicate key", "08006");
        assertThat(deadline.aborted()).as("not aborted: what the store meets next is its own").isFalse();
        assertThat((Throwable) deadline.explain(serverSays)).isSameAs(serverSays);
        deadline.close();
    }

    @Test
    void aStoreWhoseConnectionWasAbortedFailsAsATimeoutThatSaysSo() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(1_000), NOTHING);
        java.sql.SQLException driverSays = new java.sql.SQLException("An I/O error occurred while sending to the backend.", "08006");
        java.sql.SQLException serverSays = new java.sql.SQLException("deadlock detected", "40P01");
        assertThat((Throwable) deadline.explain(driverSays)).as("not aborted yet: the driver's own error").isSameAs(driverSays);
        assertThat(aborted.await(3, TimeUnit.SECONDS)).isTrue();
        until(deadline::aborted);
        java.sql.SQLException explained = deadline.explain(driverSays);
        assertThat((Throwable) explained).isInstanceOf(java.sql.SQLTimeoutException.class).hasMessageContaining("store timeout").hasCause(driverSays);
        assertThat(explained.getSQLState()).isEqualTo("57014");
        assertThat((Throwable) deadline.explain(serverSays)).as("an answer of the server stays its own").isSameAs(serverSays);
        deadline.close();
    }

    @Test
    void aStoreWhoseLastStatementReturnedBeforeTheAbortKeepsItsResultThoughTheCloseFails() throws Exception {
        // The pool resets a connection it does not know is dead, and that fails: the abort's failure, not the store's.
        CountDownLatch aborted = new CountDownLatch(1);
        Connection closeFails = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("abort")) {
                        aborted.countDown();
                        return null;
                    }
                    throw new java.sql.SQLException("This connection has been closed.", "08003");
                });
        StoreDeadline late = StoreDeadline.abortAfter(closeFails, TimeUnit.MILLISECONDS.toNanos(50), NOTHING);
        assertThat(aborted.await(2, TimeUnit.SECONDS)).isTrue();
        until(late::aborted);
        late.close(); // does not throw

        StoreDeadline onTime = StoreDeadline.abortAfter(closeFails, TimeUnit.SECONDS.toNanos(30), NOTHING);
        org.assertj.core.api.Assertions.assertThatThrownBy(onTime::close).as("a close that fails on its own is the store's failure")
                .isInstanceOf(java.sql.SQLException.class);
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        until(condition, 2);
    }

    private static void until(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within %d s", seconds).isLessThan(end);
            Thread.sleep(5);
        }
    }

    @Test
    void anAbortThatThrowsAnErrorIsAFailedAbortAndTheOtherStoresStayWatched() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        StoreDeadline failing = StoreDeadline.abortAfter(connection(first, new StackOverflowError("abort")),
                TimeUnit.MILLISECONDS.toNanos(50), reported::countDown);
        assertThat(reported.await(2, TimeUnit.SECONDS)).as("reported as an abort that failed").isTrue();
        assertThat(failing.aborted()).as("the store runs on: what it meets is its own").isFalse();
        CountDownLatch second = new CountDownLatch(1);
        StoreDeadline next = StoreDeadline.abortAfter(connection(second, null), TimeUnit.MILLISECONDS.toNanos(50), NOTHING);
        assertThat(second.await(2, TimeUnit.SECONDS)).as("the next store aborted").isTrue();
        failing.close();
        next.close();
    }
}
