package dev.hookguard.spring;

import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.idempotency.JdbcIdempotencyStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;

/** The idempotency store the properties ask for: JDBC on the application's one DataSource, or memory. */
final class IdempotencyStores {

    private static final String PROPERTY = "hookguard.idempotency.store";

    private IdempotencyStores() {
    }

    static IdempotencyStore of(HookguardProperties.Idempotency settings, ObjectProvider<DataSource> dataSources) {
        DataSource dataSource = settings.store() == HookguardProperties.StoreType.MEMORY ? null : dataSources.getIfUnique();
        if (dataSource == null) {
            if (settings.store() == HookguardProperties.StoreType.JDBC) {
                throw new HookguardConfigurationException(PROPERTY, PROPERTY + " is jdbc, but the application has no single DataSource bean");
            }
            return InMemoryIdempotencyStore.withDefaults();
        }
        JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).table(settings.table()).build();
        boolean create = switch (settings.initializeSchema()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case EMBEDDED -> isEmbedded(dataSource);
        };
        if (create) {
            store.createTableIfMissing();
        }
        return store;
    }

    /** An in-process database, whose tables nobody else creates. */
    static boolean isEmbedded(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String url = String.valueOf(connection.getMetaData().getURL()).toLowerCase(Locale.ROOT);
            return url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:tcp:") && !url.startsWith("jdbc:h2:ssl:")
                    || url.startsWith("jdbc:hsqldb:mem:") || url.startsWith("jdbc:hsqldb:file:") || url.startsWith("jdbc:derby:memory:")
                    || url.startsWith("jdbc:derby:directory:");
        } catch (SQLException e) {
            // Unknown: leave the schema to the application's migrations.
            return false;
        }
    }
}
