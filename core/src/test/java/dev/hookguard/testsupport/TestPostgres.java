package dev.hookguard.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL server that {@code .ci/run} starts (from Debian's packages) and names in
 * {@code HOOKGUARD_POSTGRES_URL}. In CI a missing server fails the test; elsewhere it is skipped with a hint.
 */
public final class TestPostgres {

    public static final String URL_VARIABLE = "HOOKGUARD_POSTGRES_URL";

    private TestPostgres() {
    }

    /** The server's JDBC URL (to the {@code postgres} database). */
    public static String url() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            String hint = "no PostgreSQL server: run the tests through .ci/run, which installs and starts one, or set " + URL_VARIABLE;
            if (System.getenv("CI") != null) {
                Assertions.fail(hint);
            }
            Assumptions.abort(hint);
        }
        try (Connection c = DriverManager.getConnection(url)) {
            Assertions.assertTrue(c.isValid(5), "PostgreSQL at " + URL_VARIABLE + " does not answer");
        } catch (SQLException e) {
            Assertions.fail("PostgreSQL at " + URL_VARIABLE + " cannot be reached: " + e.getMessage());
        }
        return url;
    }

    /** A new, empty database on the server, and its JDBC URL. */
    public static String newDatabase() {
        String url = url();
        String name = "hg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            Assertions.fail("could not create a test database: " + e.getMessage());
        }
        return url.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    public static PGSimpleDataSource dataSource(String url) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        return dataSource;
    }
}
