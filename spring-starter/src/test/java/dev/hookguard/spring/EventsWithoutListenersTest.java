package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/** Events style with listeners for form submissions only: what nobody listens for is never acknowledged. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = EventsWithoutListenersTest.App.class, properties = {
        "hookguard.mautic.secrets=only-forms-secret-1,only-forms-secret-2",
        "hookguard.malcolm.secrets=unheard-malcolm-secret"})
class EventsWithoutListenersTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        FormsOnly formsOnly() {
            return new FormsOnly();
        }
    }

    static class FormsOnly {
        final List<FormSubmitted> forms = new CopyOnWriteArrayList<>();

        @EventListener
        void on(FormSubmitted form) {
            forms.add(form);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    FormsOnly listener;

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Test
    void anEventNobodyListensForIsAnswered404AndReleasedNotAcknowledged() {
        MauticSender mautic = MauticSender.builder(uri("/webhooks/mautic"), "only-forms-secret-2").build();
        List<dev.hookguard.sender.OutgoingEvent> contact = SampleEvents.of("mautic.lead_post_save_new", 7100, 1);
        SendReport first = mautic.sendImmediate(contact);
        assertThat(first.attempts().get(0).status()).isEqualTo(404);
        // Released, not done: the same delivery is still not handled, never a "duplicate" 200.
        assertThat(mautic.sendImmediate(contact).attempts().get(0).status()).isEqualTo(404);

        assertThat(mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 7101, 1)).allDelivered()).isTrue();
        assertThat(listener.forms).hasSize(1);

        MalcolmSender malcolm = MalcolmSender.builder(uri("/webhooks/malcolm"), "unheard-malcolm-secret").build();
        byte[] session = MalcolmSender.body(SampleEvents.malcolmSession(7102, true));
        assertThat(malcolm.send(session).status()).isEqualTo(404);
        assertThat(malcolm.send(session).status()).isEqualTo(404);
    }

    @Test
    void startupNamesEachMountedEndpointAndCountsItsSecretsWithoutShowingThem(CapturedOutput output) {
        assertThat(output.getAll()).contains("Hookguard: /webhooks/mautic verifies WebhookEndpoint[mautic, SignatureVerifier[mautic, 2 secret(s)]")
                .contains("Hookguard: /webhooks/malcolm verifies WebhookEndpoint[malcolm, SignatureVerifier[malcolm, 1 secret(s)]")
                .doesNotContain("only-forms-secret").doesNotContain("unheard-malcolm-secret");
    }
}
