package dev.hookguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.RecordingServer;
import dev.hookguard.testsupport.TestResources;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HookguardCliTest {

    record Result(int exit, String out, String err) {
    }

    @TempDir
    Path dir;

    private RecordingServer server;

    @BeforeEach
    void start() throws Exception {
        server = new RecordingServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Result run(Map<String, String> env, byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        HookguardCli.Environment environment = new HookguardCli.Environment(env::get, new ByteArrayInputStream(stdin), false);
        int exit = HookguardCli.commandLine(environment, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static Result run(String... args) {
        return run(Map.of(), new byte[0], args);
    }

    static Stream<Arguments> vectors() {
        JsonNode cases = TestResources.json("signatures.json").get("cases");
        return StreamSupport.stream(cases.spliterator(), false).map(c -> Arguments.of(c.get("scheme").asText() + ":" + c.get("name").asText(), c));
    }

    private Path bodyFile(JsonNode c) throws Exception {
        Path file = Files.createTempFile(dir, "body", ".json");
        Files.write(file, Base64.getDecoder().decode(c.get("body_base64").asText()));
        return file;
    }

    static Stream<Arguments> validVectors() {
        return vectors().filter(a -> ((JsonNode) a.get()[1]).get("valid").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validVectors")
    void signPrintsTheVectorsSignatureForEveryValidCase(String name, JsonNode c) throws Exception {
        Result r = run("sign", "--scheme", c.get("scheme").asText(), "--secret", c.get("secret").asText(), bodyFile(c).toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(c.get("signature").asText() + System.lineSeparator());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void verifyAnswersEveryVectorWithoutRevealingTheExpectedSignature(String name, JsonNode c) throws Exception {
        if (c.get("signature").isNull()) {
            // No header at all: the CLI needs --signature, so an empty one stands for it.
            Result r = run("verify", "--scheme", c.get("scheme").asText(), "--secret", c.get("secret").asText(), "--signature", "", bodyFile(c).toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).isEqualTo("invalid: missing" + System.lineSeparator());
            return;
        }
        Result r = run("verify", "--scheme", c.get("scheme").asText(), "--secret", c.get("secret").asText(),
                "--signature", c.get("signature").asText(), bodyFile(c).toString());
        String expected = WebhookSigner.sign(SignatureScheme.named(c.get("scheme").asText()), c.get("secret").asText(),
                Base64.getDecoder().decode(c.get("body_base64").asText()));
        if (c.get("valid").asBoolean()) {
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("valid" + System.lineSeparator());
        } else {
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).matches("invalid: (missing|malformed|mismatch)\\R");
            assertThat(r.out() + r.err()).doesNotContain(expected.substring(SignatureScheme.named(c.get("scheme").asText()).prefix().length()).substring(0, 16))
                    .doesNotContain(c.get("secret").asText());
        }
    }

    @Test
    void verifyAcceptsEitherOfTwoRotatingSecrets() throws Exception {
        Path file = dir.resolve("b.json");
        Files.writeString(file, "{\"id\":\"s1\"}");
        String sig = WebhookSigner.sign(SignatureScheme.MALCOLM, "new", Files.readAllBytes(file));
        assertThat(run("verify", "--scheme", "malcolm", "--secret", "old", "--secret", "new", "--signature", sig, file.toString()).exit()).isZero();
        assertThat(run("verify", "--scheme", "malcolm", "--secret", "old", "--signature", sig, file.toString()).out()).startsWith("invalid: mismatch");
    }

    @Test
    void signReadsStandardInputAndTheSecretFromTheEnvironment() {
        byte[] body = "{\"mautic.form_on_submit\":[]}".getBytes(StandardCharsets.UTF_8);
        Result r = run(Map.of("HOOKGUARD_MAUTIC_SECRETS", "env-secret"), body, "sign", "--scheme", "mautic");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo(WebhookSigner.sign(SignatureScheme.MAUTIC, "env-secret", body));
    }

    @Test
    void verifyTakesEveryCommaSeparatedSecretOfTheSchemesVariable() {
        byte[] body = "{\"id\":\"rotating\"}".getBytes(StandardCharsets.UTF_8);
        String signedWithNew = WebhookSigner.sign(SignatureScheme.MALCOLM, "new-secret", body);
        Result r = run(Map.of("HOOKGUARD_MALCOLM_SECRETS", "old-secret, new-secret", "HOOKGUARD_MAUTIC_SECRETS", "unrelated"), body,
                "verify", "--scheme", "malcolm", "--signature", signedWithNew);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("valid");
    }

    @Test
    void withoutAnySecretTheCommandSaysWhatToSet() {
        Result r = run("sign", "--scheme", "mautic");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("HOOKGUARD_MAUTIC_SECRETS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sign", "verify", "send", "send mautic", "send malcolm"})
    void everyCommandHasHelp(String command) {
        List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
        args.add("--help");
        Result r = run(args.toArray(String[]::new));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Usage: hookguard");
    }

    @Test
    void sendMauticQueueModePrintsOneLinePerRequestAndASummary() {
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "s", "--events", "all",
                "--mode", "queue", "--order", "desc", "--count", "25");
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("200  10 events +\\d+ ms  DELIVERED");
        assertThat(lines.get(2)).matches("200   5 events +\\d+ ms  DELIVERED");
        assertThat(lines.get(3)).isEqualTo("25 events: 25 delivered, 0 dropped, 0 retried, 0 pending in 3 requests");
        assertThat(server.requests()).hasSize(3);
        assertThat(MauticPayloads.parse(server.requests().get(0).body()).events().get(0).timestamp().orElseThrow())
                .isAfter(MauticPayloads.parse(server.requests().get(0).body()).events().get(9).timestamp().orElseThrow());
    }

    @Test
    void sendMauticExitsNonZeroWhenAnythingWasNotDelivered() {
        server.answering(n -> n == 1 ? 500 : 200);
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "s", "--count", "3");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("500   1 event ").contains("3 events: 2 delivered, 1 dropped");
    }

    @Test
    void sendMauticTestPayloadSendsOneTestBody() {
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "s", "--events", "form_on_submit,mautic.page_on_hit", "--test-payload");
        assertThat(r.exit()).isZero();
        assertThat(server.requests()).hasSize(1);
        assertThat(MauticPayloads.parse(server.requests().get(0).body()).isTestPayload()).isTrue();
    }

    @Test
    void sendMauticRetryingPolicyRetriesAServerError() {
        server.answering(n -> n == 0 ? 503 : 200);
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "s", "--mode", "queue", "--count", "4",
                "--retry", "retrying", "--retry-delay", "PT0.01S");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("WILL_RETRY").contains("4 delivered, 0 dropped, 4 retried");
    }

    @Test
    void unknownEventTypeIsAUsageError() {
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "s", "--events", "form_on_sneeze");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown event type 'form_on_sneeze'");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void sendMalcolmSendsGeneratedSessionsWithValues() {
        Result r = run(Map.of("HOOKGUARD_MALCOLM_SECRETS", "m-secret"), new byte[0], "send", "malcolm", "--url", server.uri("/m").toString(),
                "--instance-id", "abcdefghij", "--with-values", "--count", "3");
        assertThat(r.exit()).isZero();
        assertThat(server.requests()).hasSize(3);
        assertThat(server.requests()).allSatisfy(req -> {
            assertThat(req.header("X-Instance-Id")).isEqualTo("abcdefghij");
            assertThat(req.header("X-Signature")).isEqualTo(WebhookSigner.sign(SignatureScheme.MALCOLM, "m-secret", req.body()));
            assertThat(MalcolmPayloads.parse(req.body(), "abcdefghij").values()).isPresent();
        });
    }

    @Test
    void sendMalcolmSendsAFileByteForByte() throws Exception {
        byte[] body = TestResources.bytes("signatures.json");
        Path file = dir.resolve("session.json");
        Files.write(file, body);
        Result r = run("send", "malcolm", "--url", server.uri("/m").toString(), "--secret", "k", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(server.requests().get(0).body()).isEqualTo(body);
    }

    @Test
    void sendMauticSendsARealBodyFromAFileByteForByteSignedAsMauticSignsIt() throws Exception {
        byte[] body = TestResources.bytes("fixtures/mautic/form_on_submit.json");
        Path file = dir.resolve("form_on_submit.json");
        Files.write(file, body);
        Result r = run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "k", "--count", "2", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(server.requests()).hasSize(2).allSatisfy(req -> {
            assertThat(req.body()).isEqualTo(body);
            assertThat(req.header("Webhook-Signature")).isEqualTo(WebhookSigner.sign(SignatureScheme.MAUTIC, "k", body));
        });
        assertThat(run("send", "mautic", "--url", server.uri("/h").toString(), "--secret", "k", "--test-payload", file.toString()).exit())
                .as("a file and a test payload are two different requests").isEqualTo(2);
    }
}
