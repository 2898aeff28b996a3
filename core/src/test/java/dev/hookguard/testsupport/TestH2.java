package dev.hookguard.testsupport;

import java.nio.file.Path;
import org.h2.jdbcx.JdbcDataSource;

/** H2 file databases for tests: a file, since the inbox refuses an in-memory database (a crash would empty it). */
public final class TestH2 {

    private TestH2() {
    }

    /** An H2 database in this file (user {@code sa}). */
    public static JdbcDataSource file(Path file) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:retry:" + file.toAbsolutePath());
        h2.setUser("sa");
        return h2;
    }

    /** A new, empty H2 database under {@code target/<prefix>-<n>/}. */
    public static JdbcDataSource freshFile(String prefix) {
        return file(Path.of("target", prefix + "-" + System.nanoTime(), "db"));
    }
}
