package dev.hookguard.pms;

import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * {@code --demo}: once the application serves, plays a scenario against itself with the reference sender and
 * prints what happened, then keeps serving.
 */
@Component
class DemoRunner implements ApplicationListener<ApplicationReadyEvent> {

    record Step(String name, List<Integer> statuses, long issuesCreated, long eventsRecorded) {
    }

    private static final java.util.concurrent.atomic.AtomicInteger PLAYS = new java.util.concurrent.atomic.AtomicInteger();

    private final Repository repository;
    private final PrintStream out = System.out;

    DemoRunner(Repository repository) {
        this.repository = repository;
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
        out.println("The sample PMS keeps serving. Open " + base + "/ (it refreshes itself), or GET " + base + "/api/issues, logged in as "
                + environment.getProperty("spring.security.user.name", "user") + " (the password printed above, or yours). Ctrl-C stops it.");
    }

    List<Step> play(URI mauticUrl, URI malcolmUrl, String mauticSecret, String malcolmSecret) {
        // Fresh ids on every run (a demo against a database kept from an earlier run still creates issues), and
        // apart for a second play in the same second; a play uses 22 sequence numbers.
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
        return steps;
    }

    private Step step(String name, Supplier<List<Integer>> action) {
        long issues = repository.count("issue");
        long events = repository.count("received_event");
        List<Integer> statuses = action.get();
        return new Step(name, statuses, repository.count("issue") - issues, repository.count("received_event") - events);
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
