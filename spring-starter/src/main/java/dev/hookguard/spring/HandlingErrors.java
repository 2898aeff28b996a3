package dev.hookguard.spring;

/**
 * The {@code error} tag of {@code hookguard.handling}: {@code none}, or the simple name of the exception the
 * application's handling threw ({@code IllegalStateException}); a small, bounded set, never a message.
 *
 * <p>The endpoint's settlement carries what the handling threw ({@code DeliveryObserver.Settled#failure}), in either mode.
 */
final class HandlingErrors {

    static final String NONE = "none";
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
}
