package dev.hookguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension aims real, signed requests at a server whose port is known only once it has started. */
class WebhookSendersTest {

    private HttpServer server;
    private final Map<String, List<String>> received = new ConcurrentHashMap<>();

    @RegisterExtension
    WebhookSenders senders = WebhookSenders.at(() -> URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
            .mautic("/hooks/mautic", "m-secret")
            .malcolm("/hooks/malcolm", "w-secret")
            .instanceId("inst000042");

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signature = exchange.getRequestHeaders().getFirst(exchange.getRequestURI().getPath().endsWith("mautic") ? "Webhook-Signature" : "X-Signature");
            received.put(exchange.getRequestURI().getPath(), List.of(signature, hmac(exchange.getRequestURI().getPath().endsWith("mautic") ? "m-secret" : "w-secret", body),
                    String.valueOf(exchange.getRequestHeaders().getFirst("X-Instance-Id"))));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void injectedSendersPostSignedDeliveriesToTheStartedServer(MauticSender mautic, MalcolmSender malcolm) {
        assertThat(mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 1, 1)).allDelivered()).isTrue();
        assertThat(malcolm.send(SampleEvents.malcolmSession(2, true)).status()).isEqualTo(200);
        List<String> m = received.get("/hooks/mautic");
        assertThat(m.get(0)).isEqualTo(m.get(1));
        List<String> w = received.get("/hooks/malcolm");
        assertThat(w.get(0)).isEqualTo("sha256=" + w.get(1));
        assertThat(w.get(2)).isEqualTo("inst000042");
    }

    @Test
    void aSenderThatWasNotConfiguredIsAClearError() {
        WebhookSenders onlyMautic = WebhookSenders.at(() -> URI.create("http://127.0.0.1:1")).mautic("/m", "s");
        org.assertj.core.api.Assertions.assertThatThrownBy(onlyMautic::malcolm).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("malcolm(path, secret)");
    }
}
