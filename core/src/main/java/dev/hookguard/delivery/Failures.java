package dev.hookguard.delivery;

/** Describes a failure for a log line without its messages, which may quote payload values or SQL data. */
final class Failures {

    private Failures() {
    }

    /** The exception's class and where it was thrown, then each cause's class: {@code A at X.y(X.java:12), caused by B}. */
    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.getClass().getName());
        StackTraceElement[] frames = error.getStackTrace();
        if (frames.length > 0) {
            text.append(" at ").append(frames[0]);
        }
        int depth = 0;
        for (Throwable cause = error.getCause(); cause != null && cause != error && depth < 5; cause = cause.getCause(), depth++) {
            text.append(", caused by ").append(cause.getClass().getName());
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                text.append(" (SQLState ").append(sql.getSQLState()).append(')');
            }
        }
        return text.toString();
    }

    /**
     * A copy of the failure for a log's stack trace: the same classes, frames, causes and suppressed failures, each
     * message withheld. Loggers print a throwable's message with its trace; an application's exception message can
     * quote payload values.
     */
    static Throwable withoutMessages(Throwable error) {
        return withoutMessages(error, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    }

    private static Throwable withoutMessages(Throwable error, java.util.Set<Throwable> seen) {
        WithheldMessage copy = new WithheldMessage(error);
        if (seen.add(error) && seen.size() < 32) {
            Throwable cause = error.getCause();
            if (cause != null && !seen.contains(cause)) {
                copy.initCause(withoutMessages(cause, seen));
            }
            for (Throwable suppressed : error.getSuppressed()) {
                if (!seen.contains(suppressed)) {
                    copy.addSuppressed(withoutMessages(suppressed, seen));
                }
            }
        }
        return copy;
    }

    /** Stands for a failure in a log: its class's name where the message was, and its own frames. */
    static final class WithheldMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String originalClass;

        WithheldMessage(Throwable original) {
            super(original.getClass().getName() + " (message withheld"
                    + (original instanceof java.sql.SQLException sql && sql.getSQLState() != null ? "; SQLState " + sql.getSQLState() : "") + ")");
            this.originalClass = original.getClass().getName();
            setStackTrace(original.getStackTrace());
        }

        /** The failure's own class name, so the trace reads as the original's did. */
        String originalClass() {
            return originalClass;
        }

        @Override
        public String toString() {
            return getMessage();
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** After a failure was settled: an error of the JVM itself goes on up, anything else was answered. */
    static void rethrowIfFatal(Throwable error) {
        if (error instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    /** A sender's text (a key) made safe for one log line: control characters replaced, at most 120 characters. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 120; i++) {
            char ch = text.charAt(i);
            out.append(Character.isISOControl(ch) ? '?' : ch);
        }
        return text.length() > 120 ? out.append('…').toString() : out.toString();
    }
}
