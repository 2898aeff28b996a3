package dev.hookguard.pms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.inbox.InboxCounts;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * {@code --demo}: once the application serves, plays a scenario against itself with the reference sender and
 * prints what happened, then keeps serving.
 *
 * <p>In inbox mode it also sends a form submission marked to fail ({@link DemoFailure}): it fails on every attempt
 * and ends dead (within seconds: see {@link DemoInboxPace}), so that the Deliveries page's Dead tab and "Replay all
 * dead" have something to show. In direct mode the scenario is the same as ever, and there is nothing to keep dead.
 */
@Component
class DemoRunner implements ApplicationListener<ApplicationReadyEvent> {

    record Step(String name, List<Integer> statuses, long issuesCreated, long eventsRecorded) {
    }

    private static final java.util.concurrent.atomic.AtomicInteger PLAYS = new java.util.concurrent.atomic.AtomicInteger();

    /** How long a step waits for the inbox's workers; the failing step's retries take a few seconds at the demo's pace. */
    static final Duration INBOX_WAIT = Duration.ofSeconds(10);

    /** The step that leaves a dead delivery, played in inbox mode only. */
    static final String FAILING_STEP = "a form submission that fails on purpose";

    private final Repository repository;
    /** Present in inbox mode only. */
    private final ObjectProvider<JdbcInbox> inbox;
    private final PrintStream out = System.out;

    DemoRunner(Repository repository, ObjectProvider<JdbcInbox> inbox) {
        this.repository = repository;
        this.inbox = inbox;
    }

    static boolean isDemo(Environment environment) {
        return environment.containsProperty("demo") && !"false".equalsIgnoreCase(environment.getProperty("demo"));
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (!isDemo(event.getApplicationContext().getEnvironment())
                || !(event.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return;
        }
        Environment environment = event.getApplicationContext().getEnvironment();
        int port = web.getWebServer().getPort();
        String base = "http://localhost:" + port;
        List<Step> steps = play(URI.create(base + environment.getProperty("hookguard.mautic.path", "/webhooks/mautic")),
                URI.create(base + environment.getProperty("hookguard.malcolm.path", "/webhooks/malcolm")),
                first(environment.getProperty("hookguard.mautic.secrets")), first(environment.getProperty("hookguard.malcolm.secrets")));
        out.println(table(steps));
        if (inbox.getIfAvailable() != null) {
            out.println("Inbox mode: each delivery was answered 202 once stored, and counted above once the workers had handled it."
                    + " Step " + steps.size() + "'s delivery fails on purpose at every attempt, so it is dead after its "
                    + environment.getProperty("hookguard.inbox.max-attempts", "8") + " attempts: see it on " + base
                    + "/deliveries?state=DEAD, where \"Replay all dead\" makes it pending again (and it fails again: the stored delivery keeps its marker).");
        } else {
            out.println("Inbox mode (add --hookguard.inbox.enabled=true) stores each delivery for workers; its Deliveries page then"
                    + " shows a delivery that fails on purpose until it is dead.");
        }
        String user = environment.getProperty("spring.security.user.name", "user");
        String password = environment instanceof ConfigurableEnvironment configurable
                ? DemoSecrets.passwordFile(configurable).map(file -> "the password is in " + file).orElse("with your password")
                : "with your password";
        out.println("The sample PMS keeps serving. Open " + base + "/ (it reloads itself every " + PageController.RELOAD_SECONDS
                + " seconds until you pause it), or GET " + base + "/api/issues, signed in as " + user + " (" + password + ")."
                + " Ctrl-C stops it.");
    }

    List<Step> play(URI mauticUrl, URI malcolmUrl, String mauticSecret, String malcolmSecret) {
        // Fresh ids on every run (a demo against a database kept from an earlier run still creates issues), and
        // apart for a second play in the same second; a play uses 23 sequence numbers.
        int seq = (int) (Instant.now().getEpochSecond() % 1_000_000) * 64 + (PLAYS.getAndIncrement() % 2) * 32;
        MauticSender mautic = MauticSender.builder(mauticUrl, mauticSecret).build();
        List<Step> steps = new ArrayList<>();
        steps.add(step("Mautic form submission, immediate mode", () -> statuses(mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)))));
        steps.add(step("Mautic queue: 10 mixed events, newest first", () -> statuses(MauticSender.builder(mauticUrl, mauticSecret)
                .order(QueueOrder.DESC).build().sendQueued(SampleEvents.cycling(SampleEvents.MAUTIC_TYPES.subList(4, 14), seq + 1, 10)))));
        steps.add(step("Malcolm! workflow completed, with values", () -> List.of(MalcolmSender.builder(malcolmUrl, malcolmSecret)
                .instanceId("demo000001").build().send(SampleEvents.malcolmSession(seq, true)).status())));
        List<OutgoingEvent> twice = SampleEvents.of("mautic.form_on_submit", seq + 20, 1);
        steps.add(step("the same delivery twice", () -> {
            List<Integer> statuses = new ArrayList<>(statuses(mautic.sendImmediate(twice)));
            statuses.addAll(statuses(mautic.sendImmediate(twice)));
            return statuses;
        }));
        steps.add(step("a forged delivery (wrong secret)", () -> statuses(MauticSender.builder(mauticUrl, "not-the-secret").build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", seq + 21, 1)))));
        steps.add(step("Mautic \"Send Test Payload\"", () -> statuses(mautic.sendTestPayload(SampleEvents.MAUTIC_TYPES, OffsetDateTime.now()))));
        if (inbox.getIfAvailable() != null) {
            steps.add(step(FAILING_STEP, () -> statuses(mautic.sendImmediate(List.of(markedToFail(seq + 22))))));
        }
        return steps;
    }

    /** A form submission whose field {@value DemoFailure#FIELD} says {@value DemoFailure#MARKER}: its handling always fails. */
    static OutgoingEvent markedToFail(int seq) {
        ObjectNode payload = SampleEvents.payload("mautic.form_on_submit", seq);
        ((ObjectNode) payload.path("submission").path("results")).put(DemoFailure.FIELD, DemoFailure.MARKER);
        return new OutgoingEvent("mautic.form_on_submit", payload, SampleEvents.queuedAt(seq));
    }

    private Step step(String name, Supplier<List<Integer>> action) {
        long issues = repository.count("issue");
        long events = repository.count("received_event");
        List<Integer> statuses = action.get();
        awaitTheInboxsWorkers();
        return new Step(name, statuses, repository.count("issue") - issues, repository.count("received_event") - events);
    }

    /**
     * In inbox mode a delivery is answered 202 before a worker handles it: waits until no row is pending or running
     * (at most {@link #INBOX_WAIT}), so that the table counts what the workers made rather than +0 everywhere.
     */
    private void awaitTheInboxsWorkers() {
        JdbcInbox stored = inbox.getIfAvailable();
        if (stored == null) {
            return;
        }
        long until = System.nanoTime() + INBOX_WAIT.toNanos();
        while (System.nanoTime() < until) {
            InboxCounts counts = stored.counts();
            if (counts.pending() + counts.running() == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static List<Integer> statuses(SendReport report) {
        return report.attempts().stream().map(Attempt::status).toList();
    }

    static String table(List<Step> steps) {
        StringBuilder table = new StringBuilder("\n");
        String format = "%-2s  %-45s  %-10s  %-7s  %s%n";
        table.append(String.format(format, "#", "step", "answered", "issues", "events recorded"));
        table.append("-".repeat(86)).append('\n');
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            table.append(String.format(format, i + 1, s.name(),
                    s.statuses().stream().map(String::valueOf).collect(Collectors.joining(",")),
                    "+" + s.issuesCreated(), "+" + s.eventsRecorded()));
        }
        return table.toString();
    }

    private static String first(String secrets) {
        return secrets == null ? null : secrets.split(",")[0].strip();
    }
}
