package dev.hookguard.freshapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fresh Boot 4.1 application with the starter receives a signed Mautic and a signed Malcolm! delivery, and its
 * controller returns the typed records, which Boot's Jackson 3 writes as proper JSON.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"hookguard.mautic.secrets=fresh-mautic-secret", "hookguard.malcolm.secrets=fresh-malcolm-secret"})
class FreshApplicationTest {

    private static final JsonMapper JSON = JsonMapper.shared();

    @LocalServerPort
    int port;

    private HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        if (!headers.keySet().stream().anyMatch("content-type"::equalsIgnoreCase)) {
            request.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** True when no object in the tree has a member of that name. */
    private static boolean nowhere(JsonNode node, String name) {
        if (node.isObject() && node.has(name)) {
            return false;
        }
        for (JsonNode child : node) {
            if (!nowhere(child, name)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void aSignedMauticDeliveryComesBackAsTheTypedFormSubmissionInJson() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/webhooks/mautic");
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 7, 1));
        HttpResponse<String> response = post("/webhooks/mautic", body, MauticSender.builder(uri, "fresh-mautic-secret").build().headersFor(body));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode sent = JSON.readTree(body).get("mautic.form_on_submit").get(0);
        JsonNode form = JSON.readTree(response.body()).get(0);
        assertThat(form.get("meta").get("type").asString()).isEqualTo("mautic.form_on_submit");
        assertThat(form.get("meta").get("idempotencyKey").asString()).isEqualTo("mautic:form_on_submit:" + sent.get("submission").get("id").asString());
        assertThat(form.get("meta").get("timestamp").asString()).isNotBlank();
        assertThat(form.get("submission").get("id").asLong()).isEqualTo(sent.get("submission").get("id").asLong());
        assertThat(form.get("submission").get("results")).as("results as sent").isEqualTo(sent.get("submission").get("results"));
        assertThat(form.get("submission").get("lead").get("fields").isObject()).isTrue();
        assertThat(nowhere(form, "raw")).as("no raw members").isTrue();
        assertThat(nowhere(form, "bigDecimal")).as("no Jackson 2 node dumped as a bean").isTrue();
    }

    @Test
    void aSignedMalcolmDeliveryComesBackAsTheTypedWorkflowSessionInJson() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + port + "/webhooks/malcolm");
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(3, true));
        HttpResponse<String> response = post("/webhooks/malcolm", body,
                MalcolmSender.builder(uri, "fresh-malcolm-secret").instanceId("fresh").build().headersFor(body));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode sent = JSON.readTree(body);
        JsonNode session = JSON.readTree(response.body());
        assertThat(session.get("id").asString()).isEqualTo(sent.get("id").asString());
        assertThat(session.get("label").asString()).isEqualTo(sent.get("label").asString());
        assertThat(session.get("instanceId").asString()).isEqualTo("fresh");
        assertThat(session.get("workflow").get("id").asString()).isEqualTo(sent.get("workflow").get("id").asString());
        assertThat(session.get("values")).hasSize(sent.get("values").size());
        for (int i = 0; i < sent.get("values").size(); i++) {
            assertThat(session.get("values").get(i).get("value")).as("value %d as sent", i).isEqualTo(sent.get("values").get(i).get("value"));
        }
        assertThat(nowhere(session, "raw")).as("no raw members").isTrue();
    }

    @Test
    void theApplicationRunsWithoutJackson2Databind() throws Exception {
        String runtime = Files.readString(Path.of("target", "runtime-dependencies.txt"));
        assertThat(runtime).contains("tools.jackson.core:jackson-databind").contains("dev.hookguard:hookguard-core")
                .doesNotContain("com.fasterxml.jackson.core:jackson-databind");
    }
}
