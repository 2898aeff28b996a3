package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Mounted by class name and init-params alone, as a {@code web.xml} user would. */
class WebXmlStyleTest {

    private static final String FILTER = "dev.hookguard.servlet.WebhookVerificationFilter";
    private JettyApp app;
    private final RecordingServlet servlet = new RecordingServlet();

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void secretsFromInitParamsVerifyAndRotate() throws Exception {
        app = JettyApp.create()
                .filterByClassName(FILTER, Map.of("scheme", "mautic", "secrets", "old-secret, new-secret"), "/hooks/mautic")
                .servlet(servlet, "/hooks/mautic").start();
        assertThat(MauticSender.builder(app.uri("/hooks/mautic"), "old-secret").build().sendImmediate(SampleEvents.mixed(1)).allDelivered()).isTrue();
        assertThat(MauticSender.builder(app.uri("/hooks/mautic"), "new-secret").build().sendImmediate(SampleEvents.of("mautic.page_on_hit", 5, 1)).allDelivered()).isTrue();
        assertThat(MauticSender.builder(app.uri("/hooks/mautic"), "other").build().sendImmediate(SampleEvents.mixed(1)).attempts().get(0).status()).isEqualTo(401);
        assertThat(servlet.bodies).hasSize(2);
    }

    @Test
    void secretsFromTheEnvironmentVariableNamedBySecretsEnv() throws Exception {
        // HOOKGUARD_TEST_MAUTIC_SECRETS is set for this module's tests in its pom.
        app = JettyApp.create()
                .filterByClassName(FILTER, Map.of("scheme", "malcolm", "secrets-env", "HOOKGUARD_TEST_MAUTIC_SECRETS"), "/hooks/malcolm")
                .servlet(servlet, "/hooks/malcolm").start();
        assertThat(MalcolmSender.builder(app.uri("/hooks/malcolm"), "env-secret-new").build().send(SampleEvents.malcolmSession(1, true)).status()).isEqualTo(200);
        assertThat(MalcolmSender.builder(app.uri("/hooks/malcolm"), "env-secret-old").build().send(SampleEvents.malcolmSession(2, true)).status()).isEqualTo(200);
    }

    @Test
    void maxBodyBytesInitParamSetsTheLimit() throws Exception {
        app = JettyApp.create()
                .filterByClassName(FILTER, Map.of("scheme", "mautic", "secrets", "s", "max-body-bytes", "200"), "/hooks/mautic")
                .servlet(servlet, "/hooks/mautic").start();
        assertThat(MauticSender.builder(app.uri("/hooks/mautic"), "s").build().sendImmediate(SampleEvents.mixed(1)).attempts().get(0).status()).isEqualTo(413);
    }

    @Test
    void missingSchemeOrSecretKeepsTheAppFromServing() throws Exception {
        for (Map<String, String> params : java.util.List.of(Map.of("secrets", "s"), Map.of("scheme", "mautic"),
                Map.of("scheme", "github", "secrets", "s"), Map.of("scheme", "malcolm", "secrets-env", "HOOKGUARD_NOT_SET_ANYWHERE"))) {
            app = JettyApp.create().filterByClassName(FILTER, params, "/hooks/x").servlet(servlet, "/hooks/x");
            try {
                app.start();
            } catch (Exception expected) {
                // Jetty may throw or mark the context unavailable; either way nothing is served.
            }
            assertThat(app.isFailed()).as(params.toString()).isTrue();
            app.close();
        }
        app = JettyApp.create();
    }

    @Test
    void initErrorsNameTheParameter() {
        WebhookVerificationFilter filter = new WebhookVerificationFilter();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> filter.init(config(Map.of("scheme", "mautic"))))
                .hasMessageContaining("'secrets' or 'secrets-env'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WebhookVerificationFilter().init(config(Map.of("secrets", "x"))))
                .hasMessageContaining("'scheme' is required");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new WebhookVerificationFilter().init(config(Map.of("scheme", "mautic", "secrets", "x", "max-body-bytes", "lots"))))
                .hasMessageContaining("'max-body-bytes'");
    }

    private static jakarta.servlet.FilterConfig config(Map<String, String> params) {
        return new jakarta.servlet.FilterConfig() {
            public String getFilterName() { return "hookguard"; }
            public jakarta.servlet.ServletContext getServletContext() { return null; }
            public String getInitParameter(String name) { return params.get(name); }
            public java.util.Enumeration<String> getInitParameterNames() { return java.util.Collections.enumeration(params.keySet()); }
        };
    }
}
