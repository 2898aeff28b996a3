package dev.hookguard.pms;

import dev.hookguard.malcolm.Field;
import dev.hookguard.malcolm.Value;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.Contact;
import dev.hookguard.mautic.Form;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.Submission;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns verified deliveries into rows. One transaction per delivery: each event is recorded under its idempotency
 * key (a unique column), and its issue is created in the same transaction, so a delivery creates its issues once
 * however often it arrives, across restarts too.
 *
 * <p>Each event is stored in a nested transaction (a savepoint): an event that can never be stored (a data error)
 * is rolled back alone and logged without its values, and the rest of its batch is kept, so that a poison event
 * neither fails its delivery on every retry nor takes the other events down with it. Values are made to fit
 * their columns first ({@link Columns}), so such an event is rare. The database being down still fails the
 * delivery, for a retry.
 */
@Service
class Intake {

    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    private final Repository repository;
    private final TransactionTemplate nested;
    /** {@code --demo}: a form submission marked to fail fails on every attempt (see {@link DemoFailure}). */
    private final boolean failsMarkedSubmissions;

    Intake(Repository repository, PlatformTransactionManager transactions, Environment environment) {
        this.repository = repository;
        this.failsMarkedSubmissions = DemoRunner.isDemo(environment);
        this.nested = new TransactionTemplate(transactions);
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** Runs one event's writes in a savepoint; a data error or a lost race rolls back that event only. */
    private int perEvent(String sender, String type, Supplier<Integer> writes) {
        try {
            Integer created = nested.execute(status -> writes.get());
            return created == null ? 0 : created;
        } catch (DuplicateKeyException raced) {
            // Another instance recorded the same event between our check and our insert: received before.
            return 0;
        } catch (RuntimeException e) {
            if (!DataErrors.isDataError(e)) {
                throw e;
            }
            LOG.warn("a {} event ({}) cannot be stored and is skipped: {}", sender, Columns.text(type, 60), DataErrors.describe(e));
            return 0;
        }
    }

    /** @return how many issues the batch created */
    @Transactional
    public int receive(MauticBatch batch) {
        int created = 0;
        for (MauticEvent event : batch.events()) {
            created += perEvent("mautic", event.type(), () -> receive(batch, event));
        }
        return created;
    }

    private int receive(MauticBatch batch, MauticEvent event) {
        if (failsMarkedSubmissions && event instanceof FormSubmitted form && DemoFailure.isMarked(form.submission())) {
            // Not a data error, so perEvent lets it fail the whole delivery, as a real bug in a handler would.
            throw new DemoFailure();
        }
        Optional<Long> eventId = repository.recordEvent(event.idempotencyKey(), "mautic", event.type(), event.raw().json(),
                event.timestamp().orElse(null));
        if (eventId.isEmpty()) {
            return 0;
        }
        // "Send Test Payload" carries Mautic's sample submission: recorded as activity, not an issue.
        if (event instanceof FormSubmitted form && !batch.isTestPayload()) {
            long issueId = repository.createIssue(title(form.submission()), description(form.submission()), "mautic",
                    event.idempotencyKey(), reporter(form.submission()));
            repository.linkIssue(eventId.get(), issueId);
            return 1;
        }
        return 0;
    }

    /** @return 1 when the session created its issue, 0 when it was received before */
    @Transactional
    public int receive(WorkflowSession session) {
        return perEvent("malcolm", "malcolm.workflow_completed", () -> receiveSession(session));
    }

    private int receiveSession(WorkflowSession session) {
        Optional<Long> eventId = repository.recordEvent(session.idempotencyKey(), "malcolm", "malcolm.workflow_completed",
                session.raw().json(), session.completedAt());
        if (eventId.isEmpty()) {
            return 0;
        }
        String title = firstNonBlank(session.label(), session.workflow().name().orElse(null), "Workflow session " + session.id());
        StringBuilder description = new StringBuilder(firstNonBlank(session.description().orElse(null), session.text().orElse(null), ""));
        session.values().ifPresent(values -> values.forEach(v -> description.append(description.isEmpty() ? "" : "\n")
                .append(v.field().flatMap(Field::name).or(v::id).orElse("value")).append(": ").append(PmsText.of(v.value()))));
        String reporter = session.value("email").flatMap(Value::asText).orElse(null);
        long issueId = repository.createIssue(title, description.toString(), "malcolm", session.idempotencyKey(), reporter);
        repository.linkIssue(eventId.get(), issueId);
        return 1;
    }

    /** {@code <form name>: <submitter>}, the submitter being a name, else an email, else the contact id. */
    static String title(Submission s) {
        String form = s.form().flatMap(Form::name).orElse("Form");
        Optional<Contact> lead = s.lead();
        String submitter = firstNonBlank(
                lead.flatMap(Contact::name).orElse(null),
                s.result("name").orElse(null),
                lead.flatMap(Contact::email).orElse(null),
                s.result("email").orElse(null),
                lead.flatMap(Contact::id).map(id -> "contact #" + id).orElse(null),
                "anonymous");
        return form + ": " + submitter;
    }

    /** The submitted results, one per line, in the order sent. */
    static String description(Submission s) {
        return s.results().entrySet().stream().map(e -> e.getKey() + ": " + PmsText.of(e.getValue())).collect(Collectors.joining("\n"));
    }

    static String reporter(Submission s) {
        return s.lead().flatMap(Contact::email).or(() -> s.result("email")).orElse(null);
    }

    private static String firstNonBlank(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c;
            }
        }
        return "";
    }

}
