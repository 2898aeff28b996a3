package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.inbox.JdbcInbox;
import java.sql.Connection;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a handler inside the inbox worker's transaction as Spring sees it: the worker's connection is bound to the
 * application's DataSource as the current transaction, so {@code @Transactional} listeners and {@code JdbcTemplate}
 * on that DataSource join it, and their rows commit together with "done", or not at all.
 */
final class InboxSpringTransaction {

    private InboxSpringTransaction() {
    }

    /** The worker's connection, as a transaction already begun: Spring joins it and never commits or closes it. */
    private static final class ActiveTransaction extends ConnectionHolder {
        ActiveTransaction(Connection connection) {
            super(connection);
            setTransactionActive(true);
        }
    }

    static boolean available() {
        return org.springframework.util.ClassUtils.isPresent("org.springframework.jdbc.datasource.ConnectionHolder",
                InboxSpringTransaction.class.getClassLoader());
    }

    static <T> void run(DataSource dataSource, T payload, WebhookHandler<T> handler) throws Exception {
        Connection transaction = JdbcInbox.currentTransaction().orElse(null);
        if (transaction == null || TransactionSynchronizationManager.hasResource(dataSource)) {
            handler.handle(payload);
            return;
        }
        ConnectionHolder holder = new ActiveTransaction(transaction);
        TransactionSynchronizationManager.bindResource(dataSource, holder);
        try {
            handler.handle(payload);
            if (holder.isRollbackOnly()) {
                throw new IllegalStateException("a listener's transaction was marked rollback-only");
            }
        } finally {
            TransactionSynchronizationManager.unbindResource(dataSource);
        }
    }
}
