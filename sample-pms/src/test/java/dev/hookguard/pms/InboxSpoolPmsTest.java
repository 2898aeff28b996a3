package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.inbox.JdbcInbox.State;
import dev.hookguard.inbox.SpoolCounts;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The PMS in inbox mode keeps a spool in its data directory ({@code application.properties}): while the inbox's
 * table cannot be written, Mautic 5's deliveries, which it would never send again, are answered 202 from the spool,
 * and become issues once the table is back.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class InboxSpoolPmsTest {

    @TempDir
    Path dir;

    private static int send(PmsApp app, int seq) {
        return MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).retryPolicy(RetryPolicy.MAUTIC5).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)).attempts().get(0).status();
    }

    @Test
    void whileTheInboxTableIsAwayDeliveriesAreSpooledInTheDataDirectoryAndHandledOnceItIsBack() throws Exception {
        try (PmsApp app = PmsApp.startInInboxMode(dir)) {
            assertThat(dir.resolve("spool")).as("the spool, under pms.data-dir").isDirectory();
            assertThat(app.inbox().spoolCounts()).hasValue(new SpoolCounts(0, 0, Duration.ZERO, true));
            JdbcTemplate jdbc = app.context.getBean(JdbcTemplate.class);
            jdbc.execute("alter table hookguard_inbox rename to hookguard_inbox_away");
            try {
                assertThat(send(app, 700)).isEqualTo(202);
                assertThat(send(app, 701)).isEqualTo(202);
                assertThat(app.inbox().spoolCounts().orElseThrow().entries()).isEqualTo(2);
            } finally {
                jdbc.execute("alter table hookguard_inbox_away rename to hookguard_inbox");
            }
            app.awaitInbox("mautic:form_on_submit:20700", State.DONE);
            app.awaitInbox("mautic:form_on_submit:20701", State.DONE);
            assertThat(app.inbox().spoolCounts().orElseThrow().entries()).isZero();
            assertThat(jdbc.queryForObject("select count(*) from issue", Long.class)).as("one issue each").isEqualTo(2);
        }
    }
}
