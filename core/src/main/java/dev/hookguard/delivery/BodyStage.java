package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;

/**
 * The checks before the body and the body read, blocking ({@link #read}) or fed by the adapter ({@link #intake}), both
 * driving one {@link BodyRead} state machine under the body limit, the {@link BodyBudget}, a deadline and a minimum
 * rate; then the admission stages.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
final class BodyStage<T> {

    /** Once a read has lasted this long, it must keep up the minimum rate. */
    private static final long READ_GRACE_NANOS = 5_000_000_000L;

    private final AdmissionStages<T> stages;
    private final BodyBudget budget;
    private final int maxBodyBytes;
    private final long readTimeoutNanos;
    private final long minBodyRate;

    BodyStage(AdmissionStages<T> stages, BodyBudget budget, int maxBodyBytes, long readTimeoutNanos, long minBodyRate) {
        this.stages = stages;
        this.budget = budget;
        this.maxBodyBytes = maxBodyBytes;
        this.readTimeoutNanos = readTimeoutNanos;
        this.minBodyRate = minBodyRate;
    }

    /** A refusal before the body, or {@code null}. */
    private Outcome beforeBody(IncomingRequest request) {
        Refusal early = RequestChecks.beforeBody(request.method(), request.header("Content-Type"), request.path(),
                request.contentLength(), maxBodyBytes);
        return early == null ? null : stages.refusal(early, request.contentLength() != 0);
    }

    Admission<T> read(IncomingRequest request, Watch watch) {
        Outcome early = beforeBody(request);
        if (early != null) {
            return watch.decided(new Admission.Refused<>(early, null));
        }
        // A failing stream is answered 400 right here, so nothing settles as abandoned.
        BodyRead<T> read = newBodyRead(request, watch, () -> { });
        try (InputStream in = request.body()) {
            return BodyReader.read(in, request.contentLength(), read, budget);
        } catch (IOException e) {
            return watch.decided(new Admission.Refused<>(stages.refusal(Refusal.BODY_UNREADABLE, true), null));
        }
    }

    BodyIntake<T> intake(IncomingRequest request, Watch watch) {
        Outcome early = beforeBody(request);
        if (early != null) {
            return BodyIntake.refused(watch.settle(early));
        }
        return new BodyIntake<>(newBodyRead(request, watch, () -> watch.settle(new Outcome.Abandoned(), 0, -1, null)));
    }

    /**
     * The read of one body under this endpoint's bounds: a whole body is admitted, a bound that stops it is refused.
     * Headers are kept as they were before reading, since adapters recycle their requests.
     *
     * @param abandoned what happens when the peer goes away mid-body
     */
    private BodyRead<T> newBodyRead(IncomingRequest request, Watch watch, Runnable abandoned) {
        String method = request.method();
        Headers headers = HeaderSnapshot.of(request);
        String remote = request.remoteAddress();
        BodyPace pace = new BodyPace(readTimeoutNanos, minBodyRate, Math.min(READ_GRACE_NANOS, readTimeoutNanos));
        return new BodyRead<>(new BodyBuffer(budget, maxBodyBytes), pace, ReadClock.SYSTEM,
                bytes -> stages.admit(new Delivery(method, headers, bytes, remote), watch), failure -> watch.settle(unread(failure)), abandoned);
    }

    private Outcome unread(BodyBuffer.Failure failure) {
        return stages.refusal(switch (failure) {
            case TOO_LARGE -> Refusal.BODY_TOO_LARGE;
            case NO_BUDGET -> Refusal.BODY_BUDGET_EXHAUSTED;
            case TOO_MANY_WAITING -> Refusal.TOO_MANY_SLOW_BODIES;
            case TOO_SLOW -> Refusal.BODY_TOO_SLOW;
        }, true);
    }
}
