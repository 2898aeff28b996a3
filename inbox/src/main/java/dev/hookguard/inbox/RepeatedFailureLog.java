package dev.hookguard.inbox;

import java.util.function.Supplier;

/**
 * One WARN when a loop starts failing, then at most one a minute while it goes on failing, then one INFO when it
 * works again: a database away for an hour is a few lines, not one per poll.
 */
final class RepeatedFailureLog {

    private static final long EVERY_NANOS = 60_000_000_000L;
    private final System.Logger log;
    private final String what;
    private long failures;
    private long lastLoggedNanos;

    RepeatedFailureLog(System.Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    synchronized void failed(Supplier<String> cause) {
        long now = System.nanoTime();
        if (failures++ == 0 || now - lastLoggedNanos >= EVERY_NANOS) {
            lastLoggedNanos = now;
            long count = failures;
            log.log(System.Logger.Level.WARNING, () -> what + " met " + cause.get() + (count > 1 ? " (" + count + " times in a row)" : "")
                    + "; it goes on");
        }
    }

    synchronized void succeeded() {
        if (failures > 0) {
            long count = failures;
            failures = 0;
            log.log(System.Logger.Level.INFO, () -> what + " works again after " + count + " failures");
        }
    }
}
