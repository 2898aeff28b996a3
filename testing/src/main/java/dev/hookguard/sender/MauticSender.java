package dev.hookguard.sender;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Plays Mautic's webhook sender as Mautic 5 really is: PHP {@code json_encode} bytes, the same headers, immediate
 * mode, queue mode in batches of {@code webhook_limit} in either order, "Send Test Payload", and its handling
 * of answers (any 2xx succeeds, a 3xx fails, 410 unpublishes the webhook). Use it to test a receiver.
 *
 * <pre>{@code
 * MauticSender mautic = MauticSender.builder(URI.create("http://localhost:8080/webhooks/mautic"), "secret").build();
 * SendReport report = mautic.sendQueued(SampleEvents.mixed(25));
 * assert report.allDelivered();
 * }</pre>
 */
public final class MauticSender {

    /** PHP's {@code DateTime::format('c')}: {@code 2024-10-24T15:54:35+00:00}, never {@code Z}. */
    public static final DateTimeFormatter PHP_ISO_8601 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx");

    private final URI url;
    private final String secret;
    private final String originBaseUrl;
    private final int batchSize;
    private final QueueOrder order;
    private final RetryPolicy retryPolicy;
    private final int maxRuns;
    private final Duration retryDelay;
    private final Http http;
    private final Consumer<Attempt> listener;

    private MauticSender(Builder b) {
        this.url = b.url;
        this.secret = b.secret;
        this.originBaseUrl = b.originBaseUrl;
        this.batchSize = b.batchSize;
        this.order = b.order;
        this.retryPolicy = b.retryPolicy;
        this.maxRuns = b.maxRuns;
        this.retryDelay = b.retryDelay;
        this.http = b.http();
        this.listener = b.listener;
    }

    /**
     * @param url    the webhook URL, posted to exactly as given
     * @param secret the webhook's secret; {@code null} sends an empty {@code Webhook-Signature}, as Mautic 5 does
     *               for a legacy webhook without secret
     */
    public static Builder builder(URI url, String secret) {
        return new Builder(url, secret);
    }

    /** Immediate mode: one POST per event, in the order given, never retried. */
    public SendReport sendImmediate(List<OutgoingEvent> events) {
        List<Attempt> attempts = new ArrayList<>();
        int delivered = 0;
        int dropped = 0;
        boolean unpublished = false;
        for (OutgoingEvent event : events) {
            if (unpublished) {
                break;
            }
            Attempt attempt = post(queueBody(List.of(event)), 1, false);
            attempts.add(attempt);
            switch (attempt.outcome()) {
                case DELIVERED -> delivered++;
                case UNPUBLISHED -> unpublished = true;
                default -> dropped++;
            }
        }
        return new SendReport(attempts, events.size(), delivered, dropped, 0, events.size() - delivered - dropped, unpublished);
    }

    /**
     * Queue mode, as {@code mautic:webhooks:process}: batches of up to the batch size, taken in queue order
     * (ascending or descending), retried across runs as the retry policy says.
     */
    public SendReport sendQueued(List<OutgoingEvent> events) {
        List<Row> queue = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            queue.add(new Row(i, events.get(i)));
        }
        Comparator<Row> byId = Comparator.comparingInt(Row::id);
        // Newer Mautic sends rows that never failed before rows being retried.
        Comparator<Row> selection = Comparator.comparing((Row r) -> r.retries > 0)
                .thenComparing(order == QueueOrder.ASC ? byId : byId.reversed());
        List<Attempt> attempts = new ArrayList<>();
        int delivered = 0;
        int dropped = 0;
        int retried = 0;
        boolean unpublished = false;
        for (int run = 0; run < maxRuns && !queue.isEmpty() && !unpublished; run++) {
            if (run > 0) {
                sleep(retryDelay);
            }
            while (!queue.isEmpty()) {
                List<Row> batch = queue.stream().sorted(selection).limit(batchSize).toList();
                for (Row row : batch) {
                    if (row.sent) {
                        retried++;
                    }
                    row.sent = true;
                }
                Attempt attempt = post(queueBody(batch.stream().map(Row::event).toList()), batch.size(),
                        retryPolicy == RetryPolicy.RETRYING);
                attempts.add(attempt);
                boolean answered = attempt.status() != 0;
                if (attempt.outcome() == Attempt.Outcome.DELIVERED) {
                    delivered += batch.size();
                    queue.removeAll(batch);
                    continue;
                }
                if (attempt.outcome() == Attempt.Outcome.UNPUBLISHED) {
                    // Mautic 5 deletes the rows before it looks at the status; newer Mautic keeps them.
                    if (retryPolicy == RetryPolicy.MAUTIC5) {
                        dropped += batch.size();
                        queue.removeAll(batch);
                    }
                    unpublished = true;
                } else if (answered && retryPolicy == RetryPolicy.MAUTIC5) {
                    dropped += batch.size();
                    queue.removeAll(batch);
                } else {
                    batch.forEach(r -> r.retries++);
                }
                break; // a failure ends this run of the command for this webhook
            }
        }
        return new SendReport(attempts, events.size(), delivered, dropped, retried, queue.size(), unpublished);
    }

    /**
     * "Send Test Payload": the samples of the checked types, in Mautic's own test shape (lead types as arrays of
     * events with their own old timestamps; form, page and email-open as single objects), plus a top-level
     * {@code timestamp}. Types without a sample contribute nothing, as in Mautic. Success is any status starting
     * with 2; never retried.
     */
    public SendReport sendTestPayload(List<String> types, OffsetDateTime now) {
        byte[] body = PhpJson.encode(SampleEvents.testPayload(types, now));
        Attempt attempt = post(body, (int) types.stream().filter(SampleEvents::hasTestSample).count(), false);
        boolean ok = attempt.outcome() == Attempt.Outcome.DELIVERED;
        return new SendReport(List.of(attempt), attempt.events(), ok ? attempt.events() : 0, ok ? 0 : attempt.events(), 0, 0,
                attempt.outcome() == Attempt.Outcome.UNPUBLISHED);
    }

    /**
     * Sends these exact bytes as one request, signed, as Mautic would send a body of its own: a real delivery you
     * captured, reproduced without PHP. Never retried.
     */
    public Attempt send(byte[] body) {
        return post(body, events(body), false);
    }

    /** Sends each body once, in order, as {@link #send(byte[])}; a 410 stops the rest, as Mautic unpublishes the webhook. */
    public SendReport sendAll(List<byte[]> bodies) {
        List<Attempt> attempts = new ArrayList<>();
        int events = 0;
        int delivered = 0;
        boolean unpublished = false;
        for (byte[] body : bodies) {
            if (unpublished) {
                break;
            }
            Attempt attempt = send(body);
            attempts.add(attempt);
            events += attempt.events();
            if (attempt.outcome() == Attempt.Outcome.DELIVERED) {
                delivered += attempt.events();
            }
            unpublished = attempt.outcome() == Attempt.Outcome.UNPUBLISHED;
        }
        return new SendReport(attempts, events, delivered, events - delivered, 0, 0, unpublished);
    }

    /** How many events a body holds (an array counts its elements, an object one); 1 when it is no Mautic body. */
    private static int events(byte[] body) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            int events = 0;
            for (java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> it = root.fields(); it.hasNext(); ) {
                com.fasterxml.jackson.databind.JsonNode value = it.next().getValue();
                events += value.isArray() ? value.size() : value.isObject() ? 1 : 0;
            }
            return Math.max(1, events);
        } catch (java.io.IOException | RuntimeException e) {
            return 1;
        }
    }

    /** The body Mautic builds for one batch: types in order of first appearance, {@code timestamp} last. */
    public static byte[] queueBody(List<OutgoingEvent> batch) {
        Map<String, ArrayNode> byType = new LinkedHashMap<>();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (OutgoingEvent event : batch) {
            ArrayNode list = byType.computeIfAbsent(event.type(), root::putArray);
            ObjectNode item = event.payload().deepCopy();
            item.remove("timestamp");
            item.put("timestamp", PHP_ISO_8601.format(event.queuedAt()));
            list.add(item);
        }
        return PhpJson.encode(root);
    }

    /** The headers Mautic's {@code Http\Client::post} sends with {@code body}. */
    public Map<String, String> headersFor(byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Origin-Base-URL", originBaseUrl);
        headers.put("Webhook-Signature", secret == null ? "" : Signing.mautic(secret, body));
        headers.put("User-Agent", "GuzzleHttp/7");
        return headers;
    }

    private Attempt post(byte[] body, int events, boolean retrying) {
        Http.Response response = http.post(url, headersFor(body), body);
        Attempt.Outcome outcome;
        if (Http.isSuccess(response.status())) {
            outcome = Attempt.Outcome.DELIVERED;
        } else if (response.status() == 410) {
            outcome = Attempt.Outcome.UNPUBLISHED;
        } else if (response.status() == 0 || retrying) {
            outcome = Attempt.Outcome.WILL_RETRY;
        } else {
            outcome = Attempt.Outcome.DROPPED;
        }
        Attempt attempt = new Attempt(response.status(), events, response.millis(), outcome, response.error());
        listener.accept(attempt);
        return attempt;
    }

    /** One signed POST of {@code body}, as {@code Http\Client::post}; the caller judges the answer. */
    Http.Response exchange(byte[] body) {
        return http.post(url, headersFor(body), body);
    }

    /** Tells the {@link Builder#onAttempt} listener. */
    void report(Attempt attempt) {
        listener.accept(attempt);
    }

    int batchSize() {
        return batchSize;
    }

    QueueOrder order() {
        return order;
    }

    RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A {@code webhook_queue} row. */
    private static final class Row {
        private final int id;
        private final OutgoingEvent event;
        private int retries;
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

    /** Builds a {@link MauticSender}. */
    public static final class Builder extends SenderBuilder<Builder> {
        private String originBaseUrl = "https://mautic.example.com";
        private int batchSize = 10;
        private QueueOrder order = QueueOrder.ASC;
        private RetryPolicy retryPolicy = RetryPolicy.MAUTIC5;
        private int maxRuns = 3;
        private Duration retryDelay = Duration.ofMillis(200);

        private Builder(URI url, String secret) {
            super(url, secret);
        }

        @Override
        Builder self() {
            return this;
        }

        /** {@code X-Origin-Base-URL}, Mautic's {@code site_url}. */
        public Builder originBaseUrl(String originBaseUrl) {
            this.originBaseUrl = Objects.requireNonNull(originBaseUrl, "originBaseUrl");
            return this;
        }

        /** {@code webhook_limit}: events per request in queue mode (default 10). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1");
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Queue order (default ascending). */
        public Builder order(QueueOrder order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /** Retry policy (default {@link RetryPolicy#MAUTIC5}). */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** How many cron runs the queue gets before the sender gives up (default 3). */
        public Builder maxRuns(int maxRuns) {
            if (maxRuns < 1) {
                throw new IllegalArgumentException("max runs must be at least 1");
            }
            this.maxRuns = maxRuns;
            return this;
        }

        /** The pause between runs after a failure (Mautic's is an hour; default here 200 ms). */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
            return this;
        }

        public MauticSender build() {
            return new MauticSender(this);
        }
    }

}
