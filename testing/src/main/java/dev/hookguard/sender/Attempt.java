package dev.hookguard.sender;

/**
 * One HTTP request the reference sender made.
 *
 * @param status  the response status, or {@code 0} when the request failed in transport
 * @param events  how many events the request carried
 * @param millis  how long the exchange took
 * @param outcome what the sender made of the answer
 * @param error   the transport error's class and message, or {@code null}
 */
public record Attempt(int status, int events, long millis, Outcome outcome, String error) {

    /** What the sender did with the events of one request. */
    public enum Outcome {
        /** 2xx: the events are delivered. */
        DELIVERED,
        /** A non-2xx answer that Mautic 5 drops without retry. */
        DROPPED,
        /** The events stay queued for a later run. */
        WILL_RETRY,
        /**
         * 410 Gone, or (with {@link MauticWebhook}) the failure after which Mautic auto-unpublished the webhook:
         * nothing more is sent.
         */
        UNPUBLISHED
    }

    /** One line for a console: {@code 200  10 events  12 ms  DELIVERED}. */
    public String describe() {
        return String.format("%3s  %2d event%s  %5d ms  %s%s", status == 0 ? "---" : Integer.toString(status), events,
                events == 1 ? " " : "s", millis, outcome, error == null ? "" : "  (" + error + ")");
    }
}
