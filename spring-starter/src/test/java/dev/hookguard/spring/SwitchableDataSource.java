package dev.hookguard.spring;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A database that can be made to go away: while {@link #away} is set, every new connection is refused as a pool
 * refuses when its server is down (SQLState 08001). Connections already open are left alone, as a crash would not
 * reach into the application's memory.
 */
final class SwitchableDataSource extends DelegatingDataSource {

    final AtomicBoolean away = new AtomicBoolean();

    SwitchableDataSource(DataSource real) {
        super(real);
    }

    @Override
    public Connection getConnection() throws SQLException {
        refuseWhileAway();
        return super.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseWhileAway();
        return super.getConnection(username, password);
    }

    private void refuseWhileAway() throws SQLException {
        if (away.get()) {
            throw new SQLTransientConnectionException("Connection refused", "08001");
        }
    }
}
