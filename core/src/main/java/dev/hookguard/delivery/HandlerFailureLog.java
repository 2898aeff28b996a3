package dev.hookguard.delivery;

import java.lang.System.Logger.Level;

/** The application's own failure, logged once with its stack trace: messages only where the application allowed them. */
record HandlerFailureLog(boolean withMessages) {

    private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());

    void log(Throwable error, String what) {
        if (LOG.isLoggable(Level.ERROR)) {
            LOG.log(Level.ERROR, "the webhook handler failed " + what, withMessages ? error : Failures.withoutMessages(error));
        }
    }
}
