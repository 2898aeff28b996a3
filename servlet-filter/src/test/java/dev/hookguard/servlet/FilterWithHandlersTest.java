package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An endpoint with its own handlers: the filter answers every delivery itself and the chain never runs. */
class FilterWithHandlersTest {

    @ParameterizedTest(name = "non-blocking reads: {0}")
    @ValueSource(booleans = {false, true})
    void typedHandlersAnswerAndWhatNoneTakesIs404(boolean nonBlocking) throws Exception {
        List<FormSubmitted> forms = new CopyOnWriteArrayList<>();
        WebhookEndpoint<?> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET).on(FormSubmitted.class, forms::add).build();
        RecordingServlet servlet = new RecordingServlet();
        try (JettyApp app = JettyApp.create()
                .asyncFilter(nonBlocking ? WebhookVerificationFilter.nonBlocking(endpoint) : WebhookVerificationFilter.of(endpoint), "/hooks")
                .asyncServlet(servlet, "/hooks").start()) {
            URI uri = app.uri("/hooks");
            MauticSender sender = MauticSender.builder(uri, SchemeFixture.SECRET).build();
            assertThat(sender.sendImmediate(SampleEvents.of("mautic.form_on_submit", 40, 1)).allDelivered()).isTrue();
            assertThat(forms).hasSize(1);
            assertThat(sender.sendImmediate(SampleEvents.of("mautic.lead_post_save_new", 41, 1)).attempts().get(0).status()).isEqualTo(404);
            assertThat(servlet.bodies).as("the chain never ran").isEmpty();
        }
    }
}
