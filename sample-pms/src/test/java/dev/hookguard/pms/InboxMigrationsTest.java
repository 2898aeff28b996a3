package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sample's Flyway migrations create the inbox's table (on PostgreSQL no one else would: the starter creates it
 * only on an embedded database), as copies of the SQL that hookguard-inbox ships: they may not drift from it.
 */
class InboxMigrationsTest {

    private static String resource(String path) throws IOException {
        try (InputStream in = InboxMigrationsTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @CsvSource({"postgresql, V4__hookguard_inbox.sql, V1__inbox.sql", "postgresql, V5__hookguard_inbox.sql, V2__inbox.sql",
            "h2, V4__hookguard_inbox.sql, V1__inbox.sql", "h2, V5__hookguard_inbox.sql, V2__inbox.sql"})
    void eachMigrationIsTheInboxsOwnSqlBelowOneLineOfOrigin(String database, String migration, String shipped) throws IOException {
        String copy = resource("/db/vendor/" + database + "/" + migration);
        String original = resource("/db/hookguard/" + database + "/" + shipped);
        assertThat(copy).startsWith("-- Hookguard's inbox table");
        assertThat(copy.substring(copy.indexOf('\n') + 1)).isEqualTo(original);
    }
}
