package dev.hookguard.cli;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send webhooks exactly as Mautic or Malcolm! would.",
        subcommands = {SendCommand.Mautic.class, SendCommand.Malcolm.class})
final class SendCommand implements Runnable {

    @ParentCommand
    HookguardCli parent;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a sender: mautic or malcolm");
    }

    /** Prints one line per request, and a progress bar on a terminal for long runs. */
    static final class Progress {
        private final PrintWriter out;
        private final PrintWriter err;
        private final boolean bar;
        private final int expected;
        private int done;

        Progress(CommandSpec spec, boolean terminal, int expected) {
            this.out = spec.commandLine().getOut();
            this.err = spec.commandLine().getErr();
            this.expected = expected;
            this.bar = terminal && expected >= 20;
        }

        void onAttempt(Attempt attempt) {
            done++;
            if (bar) {
                err.print("\r\033[K");
            }
            out.println(attempt.describe());
            out.flush();
            if (bar) {
                int width = 30;
                int filled = Math.min(width, done * width / Math.max(1, expected));
                err.print("[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + expected + " requests");
                err.flush();
            }
        }

        int finish(SendReport report) {
            if (bar) {
                err.print("\r\033[K");
                err.flush();
            }
            out.println(report.summary());
            return report.allDelivered() ? 0 : 1;
        }
    }

    /** What both senders take: where, with which secret, how many. */
    abstract static class SenderOptions implements Callable<Integer> {

        @ParentCommand
        SendCommand send;

        @Spec
        CommandSpec spec;

        @Option(names = "--url", required = true, description = "the webhook URL")
        URI url;

        @Option(names = "--secret", description = "the secret (default: the first of $HOOKGUARD_MAUTIC_SECRETS or $HOOKGUARD_MALCOLM_SECRETS)")
        String secret;

        @Option(names = "--count", defaultValue = "1", description = "how many (default: ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--seq", defaultValue = "1", description = "sequence number of the first; the same number makes the same one (default: ${DEFAULT-VALUE})")
        int firstSeq;

        HookguardCli.Environment environment() {
            return send.parent.environment();
        }

        String key() {
            if (count < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1");
            }
            return Inputs.secrets(secret == null ? List.of() : List.of(secret), SignatureScheme.named(spec.name()), environment(), spec.commandLine())
                    .get(0);
        }

        Progress progress(int expectedRequests) {
            return new Progress(spec, environment().terminal(), expectedRequests);
        }
    }

    @Command(name = "mautic", mixinStandardHelpOptions = true,
            description = {"Send Mautic events: immediate mode (one per request), queue mode (batches), Send Test Payload,",
                    "or the body in FILE (- for standard input) as it is, signed: a real delivery reproduced without PHP.",
                    "Exits 1 when any event was not delivered."})
    static final class Mautic extends SenderOptions {

        @Option(names = "--events", split = ",", defaultValue = "form_on_submit",
                description = "event types, with or without 'mautic.', comma-separated; 'all' for every type (default: ${DEFAULT-VALUE})")
        List<String> events;

        @Option(names = "--mode", defaultValue = "immediate", description = "immediate or queue (default: ${DEFAULT-VALUE})")
        String mode;

        @Option(names = "--order", defaultValue = "asc", description = "queue order, asc or desc (default: ${DEFAULT-VALUE})")
        String order;

        @Option(names = "--batch-size", defaultValue = "10", description = "webhook_limit: events per queued request (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--test-payload", description = "send one 'Send Test Payload' body for the event types instead")
        boolean testPayload;

        @Option(names = "--retry", defaultValue = "mautic5", description = "mautic5 (drop failed batches) or retrying (newer Mautic) (default: ${DEFAULT-VALUE})")
        String retry;

        @Option(names = "--runs", defaultValue = "3", description = "queue mode: cron runs before giving up (default: ${DEFAULT-VALUE})")
        int runs;

        @Option(names = "--retry-delay", defaultValue = "PT1S", description = "queue mode: pause between runs, ISO-8601 (default: ${DEFAULT-VALUE})")
        Duration retryDelay;

        @Option(names = "--origin", defaultValue = "https://mautic.example.com", description = "X-Origin-Base-URL (default: ${DEFAULT-VALUE})")
        String origin;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "send this body as it is (--count times) instead of generated events")
        Path file;

        @Override
        public Integer call() {
            String key = key();
            List<String> types = types();
            boolean queue = switch (mode.toLowerCase(java.util.Locale.ROOT)) {
                case "immediate" -> false;
                case "queue" -> true;
                default -> throw new CommandLine.ParameterException(spec.commandLine(), "--mode must be immediate or queue");
            };
            if (batchSize < 1 || runs < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size and --runs must be at least 1");
            }
            Progress progress = progress(file != null ? count : testPayload ? 1 : queue ? (count + batchSize - 1) / batchSize : count);
            MauticSender sender = MauticSender.builder(url, key)
                    .originBaseUrl(origin)
                    .batchSize(batchSize)
                    .order(parse(() -> QueueOrder.named(order), "--order must be asc or desc"))
                    .retryPolicy(parse(() -> RetryPolicy.named(retry), "--retry must be mautic5 or retrying"))
                    .maxRuns(runs)
                    .retryDelay(retryDelay)
                    .onAttempt(progress::onAttempt)
                    .build();
            SendReport report;
            if (file != null) {
                if (testPayload) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "give FILE or --test-payload, not both");
                }
                List<byte[]> bodies = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    bodies.add(Inputs.body(file, environment().stdin()));
                }
                report = sender.sendAll(bodies);
            } else if (testPayload) {
                report = sender.sendTestPayload(types, OffsetDateTime.now());
            } else {
                List<OutgoingEvent> outgoing = SampleEvents.cycling(types, firstSeq, count);
                report = queue ? sender.sendQueued(outgoing) : sender.sendImmediate(outgoing);
            }
            return progress.finish(report);
        }

        private List<String> types() {
            List<String> types = new ArrayList<>();
            for (String event : events) {
                String name = event.trim();
                if (name.equalsIgnoreCase("all")) {
                    types.addAll(SampleEvents.MAUTIC_TYPES);
                    continue;
                }
                String type = name.startsWith("mautic.") ? name : "mautic." + name;
                if (!SampleEvents.MAUTIC_TYPES.contains(type)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown event type '" + name
                            + "'; known: " + String.join(",", SampleEvents.MAUTIC_TYPES.stream().map(t -> t.substring(7)).toList()));
                }
                types.add(type);
            }
            return types;
        }

        private <T> T parse(java.util.function.Supplier<T> value, String message) {
            try {
                return value.get();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
        }
    }

    @Command(name = "malcolm", mixinStandardHelpOptions = true,
            description = {"Send Malcolm! Workflow Sessions: generated ones, or the body in FILE.",
                    "Exits 1 when any session was not delivered."})
    static final class Malcolm extends SenderOptions {

        @Option(names = "--instance-id", defaultValue = "hgdemo0001", description = "X-Instance-Id (default: ${DEFAULT-VALUE})")
        String instanceId;

        @Option(names = "--with-values", description = "include the Workflow Values")
        boolean withValues;

        @Parameters(arity = "0..1", paramLabel = "FILE", description = "send this body as it is instead of generated sessions")
        Path file;

        @Override
        public Integer call() {
            String key = key();
            Progress progress = progress(count);
            MalcolmSender sender = MalcolmSender.builder(url, key).instanceId(instanceId).onAttempt(progress::onAttempt).build();
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                bodies.add(file != null ? Inputs.body(file, environment().stdin())
                        : MalcolmSender.body(SampleEvents.malcolmSession(firstSeq + i, withValues)));
            }
            return progress.finish(sender.sendAll(bodies));
        }
    }
}
