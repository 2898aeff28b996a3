package dev.hookguard.sender;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Plays Malcolm!'s webhook sender: a {@code POST} of the completed Workflow Session with
 * {@code X-Signature: sha256=<base64>}, {@code X-Instance-Id} and {@code Content-Type: application/json}.
 * Malcolm! documents no retries, so none are made.
 *
 * <pre>{@code
 * MalcolmSender malcolm = MalcolmSender.builder(URI.create("http://localhost:8080/webhooks/malcolm"), "secret")
 *         .instanceId("abcdefghij").build();
 * Attempt attempt = malcolm.send(SampleEvents.malcolmSession(1, true));
 * }</pre>
 */
public final class MalcolmSender {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String secret;
    private final String instanceId;
    private final Http http;
    private final Consumer<Attempt> listener;

    private MalcolmSender(Builder b) {
        this.url = b.url;
        this.secret = b.secret;
        this.instanceId = b.instanceId;
        this.http = b.http();
        this.listener = b.listener;
    }

    /** @param secret the workflow's secret token; {@code null} sends no {@code X-Signature}, as Malcolm! does without one */
    public static Builder builder(URI url, String secret) {
        return new Builder(url, secret);
    }

    /** Sends one session, serialised compactly as UTF-8 JSON. */
    public Attempt send(JsonNode session) {
        return send(body(session));
    }

    /** Sends these exact bytes as the body, signed. */
    public Attempt send(byte[] body) {
        Http.Response response = http.post(url, headersFor(body), body);
        Attempt attempt = new Attempt(response.status(), 1, response.millis(),
                Http.isSuccess(response.status()) ? Attempt.Outcome.DELIVERED : Attempt.Outcome.DROPPED, response.error());
        listener.accept(attempt);
        return attempt;
    }

    /** Sends each body once, in order. */
    public SendReport sendAll(List<byte[]> bodies) {
        List<Attempt> attempts = bodies.stream().map(this::send).toList();
        int delivered = (int) attempts.stream().filter(a -> a.outcome() == Attempt.Outcome.DELIVERED).count();
        return new SendReport(attempts, bodies.size(), delivered, bodies.size() - delivered, 0, 0, false);
    }

    /** The body bytes Hookguard's sender writes for {@code session}. */
    public static byte[] body(JsonNode session) {
        try {
            return JSON.writeValueAsBytes(session);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers sent with {@code body}. */
    public Map<String, String> headersFor(byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Instance-Id", instanceId);
        if (secret != null) {
            headers.put("X-Signature", Signing.malcolm(secret, body));
        }
        return headers;
    }

    /** Builds a {@link MalcolmSender}. */
    public static final class Builder extends SenderBuilder<Builder> {
        private String instanceId = "hgdemo0001";

        private Builder(URI url, String secret) {
            super(url, secret);
        }

        @Override
        Builder self() {
            return this;
        }

        /** {@code X-Instance-Id}: ten characters in Malcolm! (default {@code hgdemo0001}). */
        public Builder instanceId(String instanceId) {
            this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
            return this;
        }

        public MalcolmSender build() {
            return new MalcolmSender(this);
        }
    }
}
