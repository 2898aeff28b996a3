package dev.hookguard.sender;

import java.util.List;

/**
 * What a reference-sender run did.
 *
 * @param attempts    every request, in order
 * @param total       events the run was given
 * @param delivered   events answered 2xx
 * @param dropped     events lost to a non-2xx answer (Mautic 5 and immediate mode do not retry)
 * @param retried     events sent again after a failure
 * @param pending     events still queued when the run gave up
 * @param unpublished true when a 410 unpublished the webhook
 */
public record SendReport(List<Attempt> attempts, int total, int delivered, int dropped, int retried, int pending,
                         boolean unpublished) {

    public SendReport {
        attempts = List.copyOf(attempts);
    }

    /** True when every event was answered 2xx. */
    public boolean allDelivered() {
        return delivered == total && !unpublished;
    }

    /** One line: {@code 10 events: 10 delivered, 0 dropped, 0 retried, 0 pending in 1 request}. */
    public String summary() {
        return total + " event" + (total == 1 ? "" : "s") + ": " + delivered + " delivered, " + dropped + " dropped, "
                + retried + " retried, " + pending + " pending" + (unpublished ? ", webhook unpublished (410)" : "")
                + " in " + attempts.size() + " request" + (attempts.size() == 1 ? "" : "s");
    }
}
