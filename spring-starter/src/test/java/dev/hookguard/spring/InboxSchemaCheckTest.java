package dev.hookguard.spring;

import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Inbox mode on a database without the inbox's table (a PostgreSQL whose migrations do not create it): the
 * application does not start, and says which setting or migration creates the table, rather than answering 503 to
 * every delivery with nothing in the log.
 */
class InboxSchemaCheckTest {

    @Configuration(proxyBeanMethods = false)
    static class H2 {
        @Bean
        DataSource dataSource() {
            return TestH2.freshFile("inbox-schema");
        }
    }

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
            .withUserConfiguration(H2.class)
            .withPropertyValues("hookguard.mautic.secrets=inbox-schema-secret", "hookguard.inbox.enabled=true");

    @Test
    void withoutItsTableTheApplicationDoesNotStartAndNamesTheSettingAndTheMigrations() {
        runner.withPropertyValues("hookguard.inbox.initialize-schema=never").run(context -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause.getCause() != null && !(cause instanceof HookguardConfigurationException)) {
                cause = cause.getCause();
            }
            assertThat(cause).isInstanceOf(HookguardConfigurationException.class)
                    .hasMessageContaining("the inbox table does not exist")
                    .hasMessageContaining("hookguard.inbox.initialize-schema=always")
                    .hasMessageContaining("db/hookguard/h2/V1__inbox.sql and V2__inbox.sql");
            assertThat(((HookguardConfigurationException) cause).property()).isEqualTo("hookguard.inbox.initialize-schema");
        });
    }

    @Test
    void withTheTableCreatedAtStartupItStarts() {
        runner.withPropertyValues("hookguard.inbox.initialize-schema=always").run(context -> assertThat(context).hasNotFailed());
    }
}
