package dev.hookguard.spring;

/**
 * The {@code error} tag of {@code hookguard.handling}: {@code none}, or the simple name of the exception the
 * application's handling threw ({@code IllegalStateException}); a small, bounded set, never a message.
 *
 * <p>In direct mode the endpoint tells its listeners only the outcome ({@code handler_failed}), so the events filter,
 * which runs the listeners or the application's controller, notes here what they threw; the endpoint settles the
 * delivery on the same thread right after, and {@link HookguardMetrics} takes the note then.
 */
final class HandlingErrors {

    static final String NONE = "none";
    /** Direct mode, a handler failed where the starter did not see it (a handler a customizer added to the endpoint). */
    static final String UNKNOWN = "unknown";

    private static final ThreadLocal<String> THROWN = new ThreadLocal<>();

    private HandlingErrors() {
    }

    static String tag(Throwable error) {
        if (error == null) {
            return NONE;
        }
        // Spring MVC wraps what a controller threw; the tag names the application's exception, not the wrapper.
        Throwable thrown = error instanceof jakarta.servlet.ServletException && error.getCause() != null ? error.getCause() : error;
        String name = thrown.getClass().getSimpleName();
        return name.isEmpty() ? thrown.getClass().getName() : name;
    }

    /** A new delivery's handling starts on this thread: forget any earlier one's note. */
    static void clear() {
        THROWN.remove();
    }

    static void thrown(Throwable error) {
        THROWN.set(tag(error));
    }

    /** What the handling on this thread threw, if it noted anything; the note is gone after. */
    static String take() {
        String thrown = THROWN.get();
        THROWN.remove();
        return thrown;
    }
}
