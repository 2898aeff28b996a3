package dev.hookguard.servlet;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.Admission;
import dev.hookguard.delivery.BodyIntake;
import dev.hookguard.delivery.Outcome;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a webhook body without a thread waiting on the peer (Servlet non-blocking reads), then dispatches the
 * verified request to the rest of the chain. The body's bounds and verdicts are the {@link BodyIntake}'s; what is
 * here is the container's side, in {@link Phase}s: a refusal is written at once and what follows of the body is
 * drained, briefly, so that a sender still writing its body reads the answer instead of a reset. The container
 * calls the read callbacks one at a time; the timeout may race with them, hence the lock.
 */
final class AsyncBodyRead implements ReadListener, AsyncListener {

    /** Set when the filter itself saw the dispatch that carried the verified request on. */
    static final String DISPATCHED_ATTRIBUTE = "dev.hookguard.dispatched";
    /**
     * After a refusal, at most this much of the body is drained: Tomcat's own {@code maxSwallowSize}, the most it
     * swallows of an unread body before it gives up on the upload and closes.
     */
    private static final long TOMCAT_MAX_SWALLOW_BYTES = 2L * 1024 * 1024;
    /** ...and for at most this long: a slow peer is not worth the connection for longer. */
    private static final long DRAIN_NANOS = 5_000_000_000L;
    /**
     * A body refused before it was read, for its declared length: drained up to that length (but no more than this,
     * and within the drain time), so that a sender writing a body over the limit reads its 413 instead of a reset.
     */
    private static final long MAX_DECLARED_DRAIN_BYTES = 16L * 1024 * 1024;
    private static final AtomicBoolean WARNED_UNMAPPED = new AtomicBoolean();

    /** Where the read is; each container callback moves it, and only from the phases that expect it. */
    private enum Phase {
        /** Bytes go to the intake. */
        READING,
        /** Refused and answered: what the peer still sends is read and dropped, within the drain bounds. */
        DRAINING,
        /** Accepted: the verified request went on in an async dispatch, whose end settles it. */
        DISPATCHED,
        /** Completed here: nothing more to read or answer. */
        COMPLETED
    }

    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    /** {@code null} when the request was refused before its body. */
    private final BodyIntake<?> intake;
    private final ServletInputStream in;
    private final byte[] chunk = new byte[8192];
    private Phase phase = Phase.READING;
    private Accepted<?> admission;
    private long drained;
    private long drainLimit = TOMCAT_MAX_SWALLOW_BYTES;
    private long drainUntil;

    private AsyncBodyRead(AsyncContext async, HttpServletRequest request, HttpServletResponse response, BodyIntake<?> intake,
                          ServletInputStream in) {
        this.async = async;
        this.request = request;
        this.response = response;
        this.intake = intake;
        this.in = in;
    }

    /** Reads the body into {@code intake}; the caller returns from {@code doFilter} at once. */
    static void read(VerifiedRequest request, HttpServletResponse response, BodyIntake<?> intake, long timeoutMillis) throws IOException {
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(timeoutMillis);
        AsyncBodyRead read = new AsyncBodyRead(async, request, response, intake, request.getRequest().getInputStream());
        async.addListener(read);
        read.in.setReadListener(read);
    }

    /** Answers a refusal made before any body was read, then drains what follows without holding a thread. */
    static void refuse(HttpServletRequest request, HttpServletResponse response, Outcome outcome) throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(DRAIN_NANOS / 1_000_000);
        AsyncBodyRead read = new AsyncBodyRead(async, request, response, null, request.getInputStream());
        read.drainLimit = Math.max(TOMCAT_MAX_SWALLOW_BYTES, Math.min(request.getContentLengthLong(), MAX_DECLARED_DRAIN_BYTES));
        async.addListener(read);
        synchronized (read) {
            read.answerThenDrain(outcome);
        }
        read.in.setReadListener(read);
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
        while ((phase == Phase.READING || phase == Phase.DRAINING) && in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
                return;
            }
            if (phase == Phase.DRAINING) {
                drop(n);
            } else if (!intake.offer(chunk, 0, n)) {
                answerThenDrain(intake.refusal().orElseThrow());
            }
        }
    }

    @Override
    public synchronized void onAllDataRead() throws IOException {
        if (phase == Phase.READING) {
            handOn(intake.finish());
        } else if (phase == Phase.DRAINING) {
            complete();
        }
    }

    @Override
    public synchronized void onError(Throwable error) {
        // The peer went away mid-body: nothing more to answer, and nothing was claimed.
        abandonIntake();
        complete();
    }

    @Override
    public synchronized void onTimeout(AsyncEvent event) throws IOException {
        if (phase == Phase.READING) {
            answerThenComplete(intake.expire());
        } else {
            complete();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        Accepted<?> accepted;
        synchronized (this) {
            // The container may end the cycle on its own while bytes were still due.
            abandonIntake();
            accepted = admission;
        }
        // Settles from what the chain answered when the filter itself did not see the dispatch (a no-op when it did).
        if (accepted != null) {
            if (request.getAttribute(DISPATCHED_ATTRIBUTE) == null && WARNED_UNMAPPED.compareAndSet(false, true)) {
                System.getLogger(WebhookVerificationFilter.class.getName()).log(System.Logger.Level.WARNING,
                        "WebhookVerificationFilter reads bodies without blocking but is not mapped for the ASYNC dispatch: a failing"
                                + " handler is then answered by the container's error page; map it for REQUEST and ASYNC");
            }
            accepted.complete(response.getStatus());
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // The application went async again behind the filter: keep listening, to settle when that cycle ends.
        event.getAsyncContext().addListener(this);
    }

    @Override
    public void onError(AsyncEvent event) {
        // onComplete follows, with the status the container set.
    }

    /** The body ended: a refusal is answered at once, an accepted delivery goes on to the chain. */
    private void handOn(Admission<?> admitted) throws IOException {
        if (!(admitted instanceof Accepted<?> accepted)) {
            answerThenComplete(admitted.outcome().orElseThrow());
            return;
        }
        phase = Phase.DISPATCHED;
        admission = accepted;
        ((VerifiedRequest) request).body(accepted.delivery().body());
        WebhookVerificationFilter.attach(request, accepted);
        async.dispatch();
    }

    /** Answers with a declared length and completes: the body is over, nothing is left to drain. */
    private void answerThenComplete(Outcome outcome) throws IOException {
        try {
            WebhookVerificationFilter.write(response, outcome);
            response.flushBuffer();
        } finally {
            complete();
        }
    }

    /**
     * Answers, then drains what the peer still sends: a connection closed with unread bytes is reset, and a peer
     * still writing its body would see the reset instead of this answer. The answer says {@code Connection: close}.
     */
    private void answerThenDrain(Outcome outcome) throws IOException {
        phase = Phase.DRAINING;
        writeLeavingTomcatInputOpen(outcome);
        drainUntil = System.nanoTime() + DRAIN_NANOS;
    }

    /**
     * Writes the answer without {@code Content-Length}: Tomcat 11 closes the request's input as soon as a response's
     * declared length is written, and nothing more could be drained.
     */
    private void writeLeavingTomcatInputOpen(Outcome outcome) throws IOException {
        WebhookVerificationFilter.write(response, outcome, false);
        response.flushBuffer();
    }

    /** Drops bytes that came after the answer; past the drain bounds the connection closes instead. */
    private void drop(int n) {
        drained += n;
        if (drained > drainLimit || System.nanoTime() > drainUntil) {
            complete();
        }
    }

    /** Gives the intake's buffer back unless its body already ended or was refused. */
    private void abandonIntake() {
        if (intake != null) {
            intake.abandon();
        }
    }

    private void complete() {
        if (phase != Phase.COMPLETED) {
            phase = Phase.COMPLETED;
            async.complete();
        }
    }
}
