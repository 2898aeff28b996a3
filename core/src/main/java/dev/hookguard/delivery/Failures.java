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
}
