package dev.hookguard.inbox;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A second instance, in a JVM of its own (killed with {@code kill -9}, or run under {@code faketime} with its clock
 * moved): an inbox on the PostgreSQL at {@code args[0]} whose handler records each run it starts in {@code runs}
 * (autocommit: a run counts even when its attempt dies), sleeps {@code args[2]} ms, and writes its effect through the
 * inbox's transaction into {@code effects} (which commits with "done", exactly once).
 */
public final class InboxWorkerProcess {

    static final String SECRET = "inbox-secret-0123456789";

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String name = args[1];
        long handlerMillis = Long.parseLong(args[2]);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        JdbcInbox inbox = JdbcInbox.builder(dataSource).pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(30)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET)
                .on(FormSubmitted.class, form -> handle(url, name, form.idempotencyKey(), handlerMillis)).inbox(inbox).build();
        inbox.start(endpoint);
        System.out.println("ready " + System.currentTimeMillis());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    static void handle(String url, String name, String key, long handlerMillis) throws Exception {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("insert into runs values (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, name);
            ps.executeUpdate();
        }
        Thread.sleep(handlerMillis);
        try (PreparedStatement ps = JdbcInbox.currentTransaction().orElseThrow().prepareStatement("insert into effects values (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, name);
            ps.executeUpdate();
        }
    }
}
