package dev.hookguard.sender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.Value;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.testsupport.RecordingServer;
import dev.hookguard.testsupport.TestResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MalcolmSenderTest {

    private static final String SECRET = "dd60862ecc09e615fd75ec85b3f4d0f7a2e1";
    private RecordingServer server;

    @BeforeEach
    void start() throws Exception {
        server = new RecordingServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void sendsASignedSessionWithValuesAndItsInstanceId() {
        Attempt attempt = MalcolmSender.builder(server.uri("/webhooks/malcolm"), SECRET).instanceId("abcdefghij").build()
                .send(SampleEvents.malcolmSession(3, true));

        assertThat(attempt.outcome()).isEqualTo(Attempt.Outcome.DELIVERED);
        RecordingServer.Request r = server.requests().get(0);
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.header("X-Instance-Id")).isEqualTo("abcdefghij");
        assertThat(r.header("X-Signature")).startsWith("sha256=");
        assertThat(SignatureVerifier.builder(SignatureScheme.MALCOLM).secret(SECRET).build().isValid(r.body(), r.header("X-Signature"), null)).isTrue();
        WorkflowSession session = MalcolmPayloads.parse(r.body(), r.header("X-Instance-Id"));
        assertThat(session.label()).isEqualTo("Completed by Анна Иванова");
        assertThat(session.value("email").flatMap(Value::asText)).contains("malcolm+3@example.com");
        assertThat(session.value("urgency").flatMap(Value::asLong)).contains(4L);
        assertThat(session.value("Describe the problem")).isPresent();
        assertThat(session.idempotencyKey()).isEqualTo("malcolm:" + session.id());
    }

    @Test
    void sessionWithoutValuesHasNoValuesKey() {
        MalcolmSender.builder(server.uri("/m"), SECRET).build().send(SampleEvents.malcolmSession(4, false));
        WorkflowSession session = MalcolmPayloads.parse(server.requests().get(0).body(), "x");
        assertThat(session.values()).isEmpty();
        assertThat(TestResources.tree(session.raw()).has("values")).isFalse();
        assertThat(session.raw().toByteArray()).isEqualTo(server.requests().get(0).body());
    }

    @Test
    void nonTwoHundredIsReportedAsNotDelivered() {
        server.answering(n -> n == 0 ? 401 : 200);
        SendReport report = MalcolmSender.builder(server.uri("/m"), SECRET).build()
                .sendAll(java.util.List.of(MalcolmSender.body(SampleEvents.malcolmSession(1, true)), MalcolmSender.body(SampleEvents.malcolmSession(2, true))));
        assertThat(report.delivered()).isEqualTo(1);
        assertThat(report.dropped()).isEqualTo(1);
        assertThat(report.allDelivered()).isFalse();
    }

    @Test
    void withoutSecretNoSignatureHeaderIsSent() {
        MalcolmSender.builder(server.uri("/m"), null).build().send(SampleEvents.malcolmSession(1, false));
        assertThat(server.requests().get(0).header("X-Signature")).isNull();
    }
}
