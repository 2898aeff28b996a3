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
 * verified request to the rest of the chain. A refusal is written at once and what follows of the body is
 * drained the same way, briefly, so that a sender still writing its body reads the answer instead of a reset.
 * The container calls the read callbacks one at a time; the timeout may race with them, hence the lock.
 */
final class AsyncBodyRead implements ReadListener, AsyncListener {

    /** Set when the filter itself saw the dispatch that carried the verified request on. */
    static final String DISPATCHED_ATTRIBUTE = "dev.hookguard.dispatched";
    /** After a refusal, at most this much of the body is read and dropped (Tomcat's own default for an aborted upload). */
    private static final long DRAIN_BYTES = 2L * 1024 * 1024;
    private static final long DRAIN_NANOS = 5_000_000_000L;
    private static final AtomicBoolean WARNED_UNMAPPED = new AtomicBoolean();

    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final BodyIntake<?> intake;
    private final ServletInputStream in;
    private final byte[] chunk = new byte[8192];
    private Accepted<?> admission;
    private boolean answered;
    private boolean completed;
    private long drained;
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
        async.addListener(read);
        synchronized (read) {
            read.answerThenDrain(outcome);
        }
        read.in.setReadListener(read);
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
        while (!completed && in.isReady()) {
            int n = in.read(chunk);
            if (n < 0) {
                return;
            }
            if (answered) {
                drained += n;
                if (drained > DRAIN_BYTES || System.nanoTime() > drainUntil) {
                    complete();
                }
            } else if (!intake.offer(chunk, 0, n)) {
                answerThenDrain(intake.refusal().orElseThrow());
            }
        }
    }

    @Override
    public synchronized void onAllDataRead() throws IOException {
        if (completed) {
            return;
        }
        if (answered) {
            complete();
            return;
        }
        Admission<?> admitted = intake.finish();
        if (!admitted.isAccepted()) {
            answer(admitted.outcome().orElseThrow());
            complete();
            return;
        }
        answered = true;
        admission = (Accepted<?>) admitted;
        ((VerifiedRequest) request).body(admitted.delivery().body());
        WebhookVerificationFilter.attach(request, admission);
        async.dispatch();
    }

    @Override
    public synchronized void onError(Throwable error) {
        // The peer went away mid-body: nothing more to answer, and nothing was claimed.
        abandon();
        complete();
    }

    @Override
    public synchronized void onTimeout(AsyncEvent event) throws IOException {
        if (!answered) {
            answer(intake.expire());
        }
        complete();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        Accepted<?> accepted;
        synchronized (this) {
            abandon();
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

    /** Answers at once, without draining: the request completes right after. */
    private void answer(Outcome outcome) throws IOException {
        answered = true;
        abandon();
        WebhookVerificationFilter.write(response, outcome);
        response.flushBuffer();
    }

    /**
     * Answers, then drains what the peer still sends. No Content-Length here: Tomcat 11 closes the request's input
     * once a response's declared length is written, so nothing more could be drained and a peer still sending the
     * body would see a reset instead of this answer. The answer says {@code Connection: close} in any case.
     */
    private void answerThenDrain(Outcome outcome) throws IOException {
        answered = true;
        abandon();
        WebhookVerificationFilter.write(response, outcome, false);
        response.flushBuffer();
        drainUntil = System.nanoTime() + DRAIN_NANOS;
    }

    private void abandon() {
        if (intake != null) {
            intake.abandon();
        }
    }

    private void complete() {
        if (!completed) {
            completed = true;
            async.complete();
        }
    }
}
