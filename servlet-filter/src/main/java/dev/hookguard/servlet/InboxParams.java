package dev.hookguard.servlet;

import dev.hookguard.delivery.DeliveryInbox;
import dev.hookguard.inbox.JdbcInbox;
import jakarta.servlet.ServletException;
import java.util.function.Function;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Inbox mode from {@code web.xml}: a {@link JdbcInbox} on the container's DataSource, found by its JNDI name. Its own
 * class, so that {@code hookguard-inbox} is needed on the class path only by applications that use it.
 */
final class InboxParams {

    private InboxParams() {
    }

    static DeliveryInbox inbox(String jndiName, boolean initializeSchema, Function<String, ServletException> fail) throws ServletException {
        DataSource dataSource;
        try {
            dataSource = (DataSource) new InitialContext().lookup(jndiName);
        } catch (NamingException | ClassCastException e) {
            throw fail.apply("init-param '" + WebhookVerificationFilter.INBOX_DATASOURCE_PARAM + "': no DataSource under the JNDI name " + jndiName
                    + " (" + e.getClass().getSimpleName() + ")");
        }
        JdbcInbox inbox = JdbcInbox.builder(dataSource).build();
        if (initializeSchema) {
            inbox.initializeSchema();
        }
        return inbox;
    }
}
