package dev.hookguard.sender;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Mautic webhook as Mautic keeps it: its logs, its queue, whether it is published and, in Mautic 7, whether it
 * is healthy. It sends through a {@link MauticSender} (same bytes, headers and signature) and decides what Mautic
 * decides after each answer, so a test sees what a user's Mautic would do to a failing receiver. Time comes from an
 * injectable {@link Clock}: tests move the clock instead of waiting an hour.
 *
 * <p>{@link RetryPolicy#MAUTIC5}, from {@code WebhookBundle/Model/WebhookModel.php::processWebhook} (5.x):
 * <ul>
 *   <li>Any 2xx succeeds and is logged. A non-2xx answer writes a log with its status
 *       ({@code addLog($webhook, $responseStatusCode, ...)}), then the {@code catch} writes an {@code N/A} log with
 *       the error message: both count. A transport error writes only the {@code N/A} log.</li>
 *   <li>410 Gone unpublishes at once: {@code killWebhook($webhook, 'mautic.webhook.stopped.reason.410')}.</li>
 *   <li>Auto-unpublish, in the {@code catch} between the two logs: {@code WebhookModel::isSick()} is true when
 *       {@code Webhook::wasModifiedRecently()} is false (its {@code dateModified} is not within
 *       {@code modify('-2 days')}; {@code null}, never edited, gives no grace) and
 *       {@code LogRepository::getSuccessVsErrorStatusCodeRatio($webhookId, $disableLimit)} over the newest
 *       {@code webhook_disable_limit} (100) logs is 0, i.e. none of them is 2xx ({@code null}, no logs, is
 *       healthy). Then {@code killWebhook()} unpublishes it and nothing more is sent. Since each failure logs
 *       twice, after a 2xx the 51st failure in a row unpublishes; a webhook that never succeeded goes at its
 *       first failure.</li>
 *   <li>The queue rows are deleted right after {@code post()} returns, before the status is looked at: a non-2xx
 *       batch is dropped, never retried; only a transport error leaves them. A failure ends the webhook's run of
 *       {@code mautic:webhooks:process} ({@code Command/ProcessWebhookQueuesCommand.php}), which sends only
 *       published webhooks.</li>
 * </ul>
 *
 * <p>{@link RetryPolicy#RETRYING}, Mautic 7 (mautic/mautic PR #15283, "process failed webhooks with retry logic"):
 * <ul>
 *   <li>A failed queue row is kept with {@code retries + 1} and {@code date_updated = now}. Rows never retried are
 *       sent first; a retried row is due only when {@code date_updated} is older than
 *       {@code retries × webhook_retry_delay} (3600 s).</li>
 *   <li>A failure marks the webhook unhealthy ({@code markedUnhealthyAt}, {@code unHealthySince}); the newer
 *       {@code ProcessWebhookQueuesCommand} skips it while {@code markedUnhealthyAt} is not older than
 *       {@code webhook_health_check_time} (300 s, {@code Service/WebhookService::isWebhookHealthy}). A success
 *       clears both.</li>
 *   <li>Auto-unpublish as in 5.x unless {@code disable_auto_unpublish} (default false). One log per failure, and
 *       {@code isSick()} sees the logs written before it, as {@code Tests/Functional/Model/WebhookModelProcessFailureTest.php}
 *       shows (a first 401 with no earlier logs stays published; after a 401 log it is unpublished). The newer
 *       {@code processWebhook} itself was not available to read: this part follows the PR and its tests.</li>
 * </ul>
 * Immediate mode ({@link #sendImmediate}) never retries and is not paused by the health check (that is the command's
 * filter); logs and auto-unpublish apply. {@code webhook_time_limit} (600 s per run) is not modelled.
 *
 * <pre>{@code
 * MauticWebhook webhook = MauticWebhook.builder(mautic).build();   // RetryPolicy.MAUTIC5, never edited
 * SendReport report = webhook.sendImmediate(SampleEvents.mixed(3));
 * // a receiver answering 503 from the start: one request, then the webhook is unpublished
 * }</pre>
 */
public final class MauticWebhook {

    /** {@code Webhook::wasModifiedRecently()}: edits within this long spare the webhook from auto-unpublish. */
    public static final Duration MODIFIED_RECENTLY = Duration.ofDays(2);

    private final MauticSender sender;
    private final RetryPolicy policy;
    private final Clock clock;
    private final int disableLimit;
    private final Duration retryDelay;
    private final Duration healthCheckTime;
    private final boolean autoUnpublish;
    private final Instant dateModified;

    /** The newest {@code disableLimit} logs, newest first: true for a 2xx. */
    private final Deque<Boolean> logs = new ArrayDeque<>();
    private final List<Row> queue = new ArrayList<>();
    private int nextQueueId;
    private boolean published = true;
    private Instant markedUnhealthyAt;

    private MauticWebhook(Builder b) {
        this.sender = b.sender;
        this.policy = b.policy;
        this.clock = b.clock;
        this.disableLimit = b.disableLimit;
        this.retryDelay = b.retryDelay;
        this.healthCheckTime = b.healthCheckTime;
        this.autoUnpublish = b.autoUnpublish;
        this.dateModified = b.dateModified;
    }

    /** A published webhook sending through {@code sender}, with its retry policy, batch size and queue order. */
    public static Builder builder(MauticSender sender) {
        return new Builder(sender);
    }

    /**
     * Immediate mode: one POST per event, never retried. Once the webhook is unpublished the rest are not sent
     * and are counted in {@link SendReport#unsent()}.
     */
    public SendReport sendImmediate(List<OutgoingEvent> events) {
        List<Attempt> attempts = new ArrayList<>();
        int delivered = 0;
        int dropped = 0;
        int unsent = 0;
        for (OutgoingEvent event : events) {
            if (!published) {
                unsent++;
                continue;
            }
            Attempt attempt = post(MauticSender.queueBody(List.of(event)), 1, false);
            attempts.add(attempt);
            if (attempt.outcome() == Attempt.Outcome.DELIVERED) {
                delivered++;
            } else {
                dropped++;
            }
        }
        return new SendReport(attempts, events.size(), delivered, dropped, 0, 0, !published, unsent);
    }

    /** Queue mode: adds the events to {@code webhook_queue}; {@link #process()} sends them. */
    public void queue(List<OutgoingEvent> events) {
        for (OutgoingEvent event : events) {
            queue.add(new Row(nextQueueId++, event));
        }
    }

    /**
     * One run of {@code mautic:webhooks:process} for this webhook, now: nothing when it is unpublished (or, in
     * Mautic 7, unhealthy); otherwise batches of due rows until the queue is empty or a request fails.
     * {@link SendReport#total()} is the rows queued when the run began.
     */
    public SendReport process() {
        int total = queue.size();
        if (!published) {
            return new SendReport(List.of(), total, 0, 0, 0, 0, true, total);
        }
        if (policy == RetryPolicy.RETRYING && !healthy()) {
            return new SendReport(List.of(), total, 0, 0, 0, total, false, 0);
        }
        List<Attempt> attempts = new ArrayList<>();
        int delivered = 0;
        int dropped = 0;
        int retried = 0;
        while (true) {
            Instant now = clock.instant();
            List<Row> batch = queue.stream().filter(row -> due(row, now)).sorted(selection()).limit(sender.batchSize()).toList();
            if (batch.isEmpty()) {
                break;
            }
            retried += (int) batch.stream().filter(row -> row.sent).count();
            batch.forEach(row -> row.sent = true);
            Attempt attempt = post(MauticSender.queueBody(batch.stream().map(Row::event).toList()), batch.size(), true);
            attempts.add(attempt);
            if (attempt.outcome() == Attempt.Outcome.DELIVERED) {
                delivered += batch.size();
                queue.removeAll(batch);
                continue;
            }
            if (policy == RetryPolicy.MAUTIC5 && attempt.status() != 0) {
                dropped += batch.size(); // deleteQueuesById() ran before the status was checked
                queue.removeAll(batch);
            } else {
                batch.forEach(row -> {
                    row.retries++;
                    row.dateUpdated = now;
                });
            }
            break; // processWebhook() returns false: no recursion to the next batch
        }
        int left = queue.size();
        return new SendReport(attempts, total, delivered, dropped, retried, published ? left : 0, !published,
                published ? 0 : left);
    }

    /** False once a 410 or auto-unpublish unpublished the webhook; nothing is sent after that. */
    public boolean published() {
        return published;
    }

    /** Mautic 7: false while the webhook was marked unhealthy less than the health check time ago. */
    public boolean healthy() {
        return markedUnhealthyAt == null || markedUnhealthyAt.isBefore(clock.instant().minus(healthCheckTime));
    }

    /** Mautic 7's {@code markedUnhealthyAt}: the last failure since the last success. */
    public Optional<Instant> markedUnhealthyAt() {
        return Optional.ofNullable(markedUnhealthyAt);
    }

    /** Rows in {@code webhook_queue}. */
    public int queued() {
        return queue.size();
    }

    private Attempt post(byte[] body, int events, boolean queued) {
        Http.Response response = sender.exchange(body);
        Attempt.Outcome outcome = judge(response.status(), queued, clock.instant());
        Attempt attempt = new Attempt(response.status(), events, response.millis(), outcome, response.error());
        sender.report(attempt);
        return attempt;
    }

    /** What {@code processWebhook} does with one answer ({@code 0}: a transport error). */
    private Attempt.Outcome judge(int status, boolean queued, Instant now) {
        boolean answered = status != 0;
        if (Http.isSuccess(status)) {
            log(true);
            markedUnhealthyAt = null;
            return Attempt.Outcome.DELIVERED;
        }
        if (policy == RetryPolicy.MAUTIC5) {
            if (answered) {
                log(false); // addLog($webhook, $responseStatusCode, ...)
            }
            if (status == 410 || isSick(now)) {
                published = false; // killWebhook()
            }
            log(false); // addLog($webhook, 'N/A', ..., $message)
        } else {
            if (status == 410 || (autoUnpublish && isSick(now))) {
                published = false;
            }
            log(false);
            markedUnhealthyAt = now;
        }
        if (!published) {
            return Attempt.Outcome.UNPUBLISHED;
        }
        boolean kept = queued && (policy == RetryPolicy.RETRYING || !answered);
        return kept ? Attempt.Outcome.WILL_RETRY : Attempt.Outcome.DROPPED;
    }

    /** {@code WebhookModel::isSick()}. */
    private boolean isSick(Instant now) {
        boolean modifiedRecently = dateModified != null && dateModified.isAfter(now.minus(MODIFIED_RECENTLY));
        return !modifiedRecently && !logs.isEmpty() && !logs.contains(true);
    }

    private void log(boolean success) {
        logs.addFirst(success);
        while (logs.size() > disableLimit) {
            logs.removeLast();
        }
    }

    private boolean due(Row row, Instant now) {
        return policy == RetryPolicy.MAUTIC5 || row.retries == 0
                || row.dateUpdated.isBefore(now.minus(retryDelay.multipliedBy(row.retries)));
    }

    private Comparator<Row> selection() {
        Comparator<Row> byId = Comparator.comparingInt(Row::id);
        Comparator<Row> inOrder = sender.order() == QueueOrder.ASC ? byId : byId.reversed();
        return policy == RetryPolicy.MAUTIC5 ? inOrder : Comparator.comparing((Row row) -> row.retries > 0).thenComparing(inOrder);
    }

    /** A {@code webhook_queue} row. */
    private static final class Row {
        private final int id;
        private final OutgoingEvent event;
        private int retries;
        private Instant dateUpdated;
        private boolean sent;

        Row(int id, OutgoingEvent event) {
            this.id = id;
            this.event = event;
        }

        int id() {
            return id;
        }

        OutgoingEvent event() {
            return event;
        }
    }

    /** Builds a {@link MauticWebhook}; every default is Mautic's. */
    public static final class Builder {
        private final MauticSender sender;
        private RetryPolicy policy;
        private Clock clock = Clock.systemUTC();
        private int disableLimit = 100;
        private Duration retryDelay = Duration.ofSeconds(3600);
        private Duration healthCheckTime = Duration.ofSeconds(300);
        private boolean autoUnpublish = true;
        private Instant dateModified;

        private Builder(MauticSender sender) {
            this.sender = Objects.requireNonNull(sender, "sender");
            this.policy = sender.retryPolicy();
        }

        /** Which Mautic: {@link RetryPolicy#MAUTIC5} or {@link RetryPolicy#RETRYING} (7); default the sender's. */
        public Builder retryPolicy(RetryPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where "now" comes from (default the system clock); a test moves its own clock instead of waiting. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The webhook's {@code dateModified}: an edit within {@link #MODIFIED_RECENTLY} spares it from
         * auto-unpublish. Default {@code null}, a webhook never edited, which gets no grace.
         */
        public Builder lastModified(Instant dateModified) {
            this.dateModified = dateModified;
            return this;
        }

        /** {@code webhook_disable_limit}: how many recent logs must all be non-2xx to unpublish (default 100). */
        public Builder disableLimit(int disableLimit) {
            if (disableLimit < 1) {
                throw new IllegalArgumentException("disable limit must be at least 1");
            }
            this.disableLimit = disableLimit;
            return this;
        }

        /** Mautic 7 {@code webhook_retry_delay}: a row failed n times is due n times this after (default 3600 s). */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
            return this;
        }

        /** Mautic 7 {@code webhook_health_check_time}: how long an unhealthy webhook is skipped (default 300 s). */
        public Builder healthCheckTime(Duration healthCheckTime) {
            this.healthCheckTime = Objects.requireNonNull(healthCheckTime, "healthCheckTime");
            return this;
        }

        /** Mautic 7 {@code disable_auto_unpublish} (default false): failures never unpublish; a 410 still does. */
        public Builder disableAutoUnpublish(boolean disable) {
            this.autoUnpublish = !disable;
            return this;
        }

        public MauticWebhook build() {
            return new MauticWebhook(this);
        }
    }
}
