package dev.hookguard.cli;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.MauticBatch;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;

/**
 * An application as a user writes it from the README: an inbox on an H2 file whose URL has {@code AUTO_SERVER=TRUE}
 * and nothing else, a plain (unpooled) DataSource, workers polling. Run in its own JVM, so that the CLI beside it
 * opens the file as a second process does.
 */
public final class H2AppProcess {

    public static void main(String[] args) throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(args[0]);
        h2.setUser("sa");
        JdbcInbox inbox = JdbcInbox.builder(h2).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets("h2-app-secret").onAny(batch -> { }).inbox(inbox).build();
        inbox.start(endpoint);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
