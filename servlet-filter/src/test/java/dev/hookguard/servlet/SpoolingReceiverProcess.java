package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A receiver in a JVM of its own, so that a test can {@code kill -9} it: Jetty on port {@code args[2]}, the servlet
 * filter in inbox mode on the PostgreSQL at {@code args[0]}, with a spool in {@code args[1]}. Its handler writes
 * each submission's effect through the inbox's transaction into {@code outage_effects} (committed with "done",
 * exactly once). The table and the inbox's schema are the test's to create: this process may start while the
 * database is away.
 */
public final class SpoolingReceiverProcess {

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setURL(args[0]);
        postgres.setConnectTimeout(2);
        JdbcInbox inbox = JdbcInbox.builder(postgres).spool(Path.of(args[1])).storeTimeout(Duration.ofSeconds(2))
                .handlerTimeout(Duration.ofSeconds(2)).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).pollInterval(Duration.ofMillis(20))
                .build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET)
                .on(FormSubmitted.class, form -> {
                    try (PreparedStatement ps = JdbcInbox.currentTransaction().orElseThrow()
                            .prepareStatement("insert into outage_effects (submission) values (?)")) {
                        ps.setLong(1, form.submission().id().orElseThrow());
                        ps.executeUpdate();
                    }
                })
                .inbox(inbox).build();
        Adapters.startInbox(endpoint);
        JettyApp.create().port(Integer.parseInt(args[2])).filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic").start();
        System.out.println("ready " + inbox.spoolCounts().orElseThrow().entries());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
