package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watch that aborts stores past their deadline: with no thread or timer of their own. */
class StoreDeadlineTest {

    /** A connection that counts down {@code aborted} when aborted, and throws {@code failure} from abort when set. */
    private static Connection connection(CountDownLatch aborted, Throwable failure) {
        return (Connection) Proxy.newProxyInstance(StoreDeadlineTest.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
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
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(aborted.await(2, TimeUnit.SECONDS)).as("aborted").isTrue();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(took).as("aborted after %d ms", took).isGreaterThanOrEqualTo(200);
        deadline.close();
    }

    @Test
    void aStoreThatEndsBeforeItsDeadlineIsNeverAborted() throws Exception {
        CountDownLatch aborted = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(150));
        deadline.close(); // its connection is back in the pool: another request may hold it now
        assertThat(aborted.await(600, TimeUnit.MILLISECONDS)).as("aborted after it ended").isFalse();
    }

    @Test
    void theWatchParkedForWantOfStoresWakesForTheNextOne() throws Exception {
        // Well past the second of quiet after which the watch parks (no other store runs in this JVM's unit tests here).
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(StoreDeadline.TICK_NANOS) * 15);
        CountDownLatch aborted = new CountDownLatch(1);
        StoreDeadline deadline = StoreDeadline.abortAfter(connection(aborted, null), TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(aborted.await(2, TimeUnit.SECONDS)).as("aborted although the watch had parked").isTrue();
        deadline.close();
    }

    @Test
    void anAbortThatThrowsAnErrorLeavesTheWatchLookingAtTheNextStores() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        StoreDeadline failing = StoreDeadline.abortAfter(connection(first, new StackOverflowError()), TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(first.await(2, TimeUnit.SECONDS)).isTrue();
        CountDownLatch second = new CountDownLatch(1);
        StoreDeadline next = StoreDeadline.abortAfter(connection(second, null), TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(second.await(2, TimeUnit.SECONDS)).as("the next store aborted: the watch survived the Error").isTrue();
        failing.close();
        next.close();
    }
}
