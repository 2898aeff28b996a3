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
 * @param unpublished true when the webhook is unpublished: by a 410, or (with {@link MauticWebhook}) by Mautic's
 *                    auto-unpublish
 * @param unsent      events never sent because the webhook was unpublished ({@link MauticWebhook} only; the
 *                    {@link MauticSender} methods count them as pending)
 */
public record SendReport(List<Attempt> attempts, int total, int delivered, int dropped, int retried, int pending,
                         boolean unpublished, int unsent) {

    public SendReport {
        attempts = List.copyOf(attempts);
    }

    /** A report with no unsent events, as every {@link MauticSender} and {@link MalcolmSender} method gives. */
    public SendReport(List<Attempt> attempts, int total, int delivered, int dropped, int retried, int pending,
                      boolean unpublished) {
        this(attempts, total, delivered, dropped, retried, pending, unpublished, 0);
    }

    /** True when every event was answered 2xx. */
    public boolean allDelivered() {
        return delivered == total && !unpublished;
    }

    /** One line: {@code 10 events: 10 delivered, 0 dropped, 0 retried, 0 pending in 1 request}. */
    public String summary() {
        return total + " event" + (total == 1 ? "" : "s") + ": " + delivered + " delivered, " + dropped + " dropped, "
                + retried + " retried, " + pending + " pending" + (unsent > 0 ? ", " + unsent + " never sent" : "")
                + (unpublished ? ", webhook unpublished" + unpublishedBy() : "")
                + " in " + attempts.size() + " request" + (attempts.size() == 1 ? "" : "s");
    }

    private String unpublishedBy() {
        if (attempts.isEmpty()) {
            return "";
        }
        Attempt last = attempts.get(attempts.size() - 1);
        return last.status() == 410 ? " (410)" : last.outcome() == Attempt.Outcome.UNPUBLISHED ? " (auto-unpublished)" : "";
    }
}
