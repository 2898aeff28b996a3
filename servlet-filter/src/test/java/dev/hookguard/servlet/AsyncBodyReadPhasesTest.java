package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.BodyBudget;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.signature.SignatureScheme;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each way a non-blocking read ends on a real Jetty: refused and drained, timed out, or left by its peer. */
class AsyncBodyReadPhasesTest {

    private final BodyBudget budget = BodyBudget.builder().build();
    private final RecordingServlet servlet = new RecordingServlet();
    private JettyApp app;

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    private void start(Duration readTimeout) throws Exception {
        WebhookEndpoint<?> endpoint = WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SchemeFixture.SECRET).maxBodyBytes(4096)
                .bodyReadTimeout(readTimeout).bodyBudget(budget).build();
        app = JettyApp.create().asyncFilter(WebhookVerificationFilter.nonBlocking(endpoint), "/webhooks/mautic")
                .asyncServlet(servlet, "/webhooks/mautic").start();
    }

    /** Opens a raw connection that declares a 100-byte body and sends its first 10 bytes. */
    private Socket startBody() throws Exception {
        Socket socket = new Socket("127.0.0.1", app.uri("/").getPort());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /webhooks/mautic HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Webhook-Signature: Zm9yZ2Vk\r\nContent-Length: 100\r\n\r\n{\"a\":     ").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private void awaitBudgetGivenBack() throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (budget.bytesInFlight() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void aBodyPastTheLimitMidReadIsAnswered413WhileItsSenderIsStillWriting() throws Exception {
        start(Duration.ofSeconds(30));
        byte[] big = new byte[256 * 1024];
        Arrays.fill(big, (byte) ' ');
        // No length: the JDK client sends it chunked, so the limit is met while reading, not before.
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(app.uri("/webhooks/mautic"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("body_too_large");
        assertThat(servlet.bodies).isEmpty();
        awaitBudgetGivenBack();
    }

    @Test
    void aBodyThatStallsIsAnswered408OnceTheReadTimesOut() throws Exception {
        start(Duration.ofMillis(100));
        try (Socket socket = startBody()) {
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 408");
        }
        assertThat(servlet.bodies).isEmpty();
        awaitBudgetGivenBack();
    }

    @Test
    void aPeerThatGoesAwayMidBodyGivesItsBufferBack() throws Exception {
        start(Duration.ofSeconds(30));
        try (Socket socket = startBody()) {
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (budget.bytesInFlight() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(budget.bytesInFlight()).as("the first bytes are held").isPositive();
        }
        awaitBudgetGivenBack();
        assertThat(servlet.bodies).isEmpty();
    }
}
