package dev.hookguard.testsupport;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A database that can be made to go away: while {@link #away} is set, every new connection is refused as a pool
 * refuses when its server is down (SQLState 08001). Connections already open are left alone, as a crash would not
 * reach into the application's memory. One fixture for the inbox's, the filter's and the starter's outage tests.
 * A refusal may come at once, after a pool's wait ({@link #refusingAfter}), or only once a latch opens ({@link
 * #hangingUntil}: a server that neither answers nor refuses).
 */
public final class SwitchableDataSource implements DataSource {

    /** Set: the database is away. */
    public final AtomicBoolean away = new AtomicBoolean();
    /** Connection attempts made while away. */
    public final AtomicInteger attemptsWhileAway = new AtomicInteger();
    private final DataSource real;
    private volatile long refuseAfterMillis;
    private volatile CountDownLatch hang;

    public SwitchableDataSource(DataSource real) {
        this.real = real;
    }

    /** While away, each attempt waits this long before it is refused (a pool's connection timeout). */
    public SwitchableDataSource refusingAfter(Duration wait) {
        this.refuseAfterMillis = wait.toMillis();
        return this;
    }

    /** While away, each attempt waits until this latch opens, then connects if the database is back, else is refused. */
    public SwitchableDataSource hangingUntil(CountDownLatch released) {
        this.hang = released;
        return this;
    }

    /** The database itself, never refusing: for a test to read what was stored. */
    public DataSource real() {
        return real;
    }

    @Override
    public Connection getConnection() throws SQLException {
        refuseWhileAway();
        return real.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseWhileAway();
        return real.getConnection(username, password);
    }

    private void refuseWhileAway() throws SQLException {
        if (!away.get()) {
            return;
        }
        attemptsWhileAway.incrementAndGet();
        try {
            CountDownLatch released = hang;
            if (released != null) {
                released.await();
            } else if (refuseAfterMillis > 0) {
                Thread.sleep(refuseAfterMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (away.get()) {
            throw new SQLTransientConnectionException("Connection refused", "08001");
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return real.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return real.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return real.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : real.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || real.isWrapperFor(type);
    }
}
