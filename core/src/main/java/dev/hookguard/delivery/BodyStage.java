package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;

/**
 * The checks before the body and the body read, blocking ({@link #read}) or fed by the adapter ({@link #intake}),
 * under the body limit, the {@link BodyBudget}, a deadline and a minimum rate; then the admission stages.
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
        BodyBuffer body = newBodyBuffer();
        try {
            boolean whole;
            try (InputStream in = request.body()) {
                whole = BodyReader.read(in, request.contentLength(), body, budget);
            } catch (IOException e) {
                return watch.decided(new Admission.Refused<>(stages.refusal(Refusal.BODY_UNREADABLE, true), null));
            }
            if (!whole) {
                return watch.decided(new Admission.Refused<>(unread(body.failure()), null));
            }
            return stages.admit(new Delivery(request.method(), HeaderSnapshot.of(request), body.bytes(), request.remoteAddress()), watch);
        } finally {
            // The budget bounds bodies until they are authenticated and parsed; what the handler holds is bounded by its threads.
            body.release();
        }
    }

    BodyIntake<T> intake(IncomingRequest request, Watch watch) {
        Outcome early = beforeBody(request);
        if (early != null) {
            return BodyIntake.refused(watch.settle(early));
        }
        String method = request.method();
        Headers headers = HeaderSnapshot.of(request);
        String remote = request.remoteAddress();
        return new BodyIntake<>(newBodyBuffer(), bytes -> stages.admit(new Delivery(method, headers, bytes, remote), watch),
                failure -> watch.settle(unread(failure)), () -> watch.settle(new Outcome.Abandoned(), 0, -1, null));
    }

    private BodyBuffer newBodyBuffer() {
        return new BodyBuffer(budget, maxBodyBytes, readTimeoutNanos, minBodyRate, Math.min(READ_GRACE_NANOS, readTimeoutNanos));
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
