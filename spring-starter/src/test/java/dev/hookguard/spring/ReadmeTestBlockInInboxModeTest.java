package dev.hookguard.spring;

import dev.hookguard.testsupport.TestH2;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.testing.WebhookSenders;
import java.net.URI;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/**
 * The README's test of a user's application ("In a JUnit 5 test of your own application"), run against an
 * application in inbox mode: its assertion must hold there too (it asserted 200, which inbox mode answers 202).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ReadmeTestBlockInInboxModeTest.App.class,
        properties = {"hookguard.malcolm.secrets=test-malcolm-secret", "hookguard.inbox.enabled=true"})
class ReadmeTestBlockInInboxModeTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        DataSource dataSource() {
            return TestH2.freshFile("readme-inbox");
        }

        @EventListener
        void on(WorkflowSession session) {
            // handled later, by the inbox's workers
        }
    }

    @LocalServerPort
    int port;

    @RegisterExtension
    WebhookSenders senders = WebhookSenders.at(() -> URI.create("http://localhost:" + port))
            .malcolm("/webhooks/malcolm", "test-malcolm-secret");

    @Test
    void aSessionIsAccepted(MalcolmSender malcolm) {
        Attempt attempt = malcolm.send(SampleEvents.malcolmSession(1, true));
        assertEquals(202, attempt.status(), "inbox mode: stored, then handled");
        // The README's assertion, word for word:
        assertEquals(Attempt.Outcome.DELIVERED, attempt.outcome());
    }
}
