package dev.hookguard.inbox;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.security.Permission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * Faults for the tests of the inbox's workers: a handling connection whose call stalls or freezes its server, a
 * process with no thread to spare, and the one row a test stored, as {@code state/attempts/error_class/lease_owner}.
 */
final class HandlingConnections {

    /** Picks the call a fault comes before: its method's name, and whether a method is on the caller's stack. */
    @FunctionalInterface
    interface When {
        boolean test(String method);
    }

    /** What comes before the picked call, on the real connection (its transaction still open). */
    @FunctionalInterface
    interface Fault {
        void before(Connection real) throws Exception;
    }

    private HandlingConnections() {
    }

    /** The connections the workers handle rows in (taken in {@code openHandling}): {@code fault} before the first call {@code when} picks. */
    static DataSource faultOnce(DataSource delegate, When when, Fault fault) {
        AtomicBoolean once = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = call(delegate, method, args);
            if (!method.getName().equals("getConnection") || !onStack("openHandling")) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (when.test(m.getName()) && once.compareAndSet(false, true)) {
                    fault.before(real);
                }
                return call(real, m, a);
            });
        });
    }

    /** Whether a method of this name is on the calling thread's stack. */
    static boolean onStack(String method) {
        return StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals(method)));
    }

    static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The table's one row, as {@code state/attempts/error_class/lease_owner}. */
    static String row(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class, lease_owner from hookguard_inbox")) {
            rs.next();
            return rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
        }
    }

    /** The one row's {@link #row}, once {@code reached} holds for it or {@code within} has passed (then as last seen). */
    static String awaitRow(DataSource dataSource, Duration within, Predicate<String> reached) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        String state = row(dataSource);
        while (System.nanoTime() < until && !reached.test(state)) {
            Thread.sleep(100);
            state = row(dataSource);
        }
        return state;
    }

    /** Whether a {@link #row} is settled for good: done or dead. */
    static boolean settled(String row) {
        return row.startsWith("DONE") || row.startsWith("DEAD");
    }

    /**
     * Fails the creation of a thread from the supervisor's abandon (the aborter, the cancel request's thread),
     * {@code refusals} times: a process at its thread limit.
     */
    static final class NoThreadWhileAbandoning extends SecurityManager {
        final AtomicInteger thrown = new AtomicInteger();
        private final int refusals;
        private final boolean onAnyThread;

        NoThreadWhileAbandoning(int refusals) {
            this(refusals, false);
        }

        /** {@code onAnyThread}: an abandon on any thread (a stop's caller too), not only the supervisor's. */
        NoThreadWhileAbandoning(int refusals, boolean onAnyThread) {
            this.refusals = refusals;
            this.onAnyThread = onAnyThread;
        }

        @Override
        public void checkPermission(Permission perm) {
        }

        @Override
        public void checkPermission(Permission perm, Object context) {
        }

        @Override
        public void checkAccess(ThreadGroup g) {
            if ((onAnyThread || Thread.currentThread().getName().equals("hookguard-inbox-supervisor"))
                    && StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getClassName().startsWith(Workers.class.getName())
                            && f.getMethodName().equals("abandon")))
                    && thrown.getAndIncrement() < refusals) {
                throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
            }
        }

        /** Sets it for the test, or skips the test on a JDK that refuses one (Java 18 on, unless told to allow it). */
        @SuppressWarnings("removal")
        NoThreadWhileAbandoning install() {
            try {
                System.setSecurityManager(this);
            } catch (UnsupportedOperationException laterJdk) {
                org.junit.jupiter.api.Assumptions.abort("this JDK refuses a SecurityManager, which the test needs to fail a thread's creation");
            }
            return this;
        }
    }
}
