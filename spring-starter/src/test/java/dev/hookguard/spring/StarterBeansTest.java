package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.BodyBudget;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.idempotency.JdbcIdempotencyStore;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The starter's beans: the store follows the application's DataSource, limits follow properties, and each backs off. */
class StarterBeansTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
            .withPropertyValues("hookguard.mautic.secrets=starter-beans-secret");

    @Configuration(proxyBeanMethods = false)
    static class H2 {
        @Bean
        DataSource dataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:starter-beans-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
            return h2;
        }
    }

    private static boolean tableExists(DataSource dataSource, String table) throws Exception {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.getMetaData().getTables(null, null, table.toUpperCase(), null)) {
            return rs.next();
        }
    }

    @Test
    void withOneDataSourceKeysLiveInItsJdbcStoreWhoseTableAnEmbeddedDatabaseGets() {
        runner.withUserConfiguration(H2.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(JdbcIdempotencyStore.class);
            assertThat(context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class).idempotencyStore())
                    .isSameAs(context.getBean(IdempotencyStore.class));
            assertThat(tableExists(context.getBean(DataSource.class), "hookguard_idempotency")).isTrue();
        });
        runner.withUserConfiguration(H2.class).withPropertyValues("hookguard.idempotency.initialize-schema=never").run(context ->
                assertThat(tableExists(context.getBean(DataSource.class), "hookguard_idempotency")).isFalse());
    }

    @Test
    void theStoreCanBeForcedToMemoryAndJdbcWithoutADataSourceFailsNamingTheProperty() {
        runner.withUserConfiguration(H2.class).withPropertyValues("hookguard.idempotency.store=memory")
                .run(context -> assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(InMemoryIdempotencyStore.class));
        runner.run(context -> assertThat(context.getBean(IdempotencyStore.class)).isInstanceOf(InMemoryIdempotencyStore.class));
        runner.withPropertyValues("hookguard.idempotency.store=jdbc").run(context -> assertThat(context.getStartupFailure())
                .hasRootCauseInstanceOf(HookguardConfigurationException.class).rootCause().hasMessageContaining("hookguard.idempotency.store"));
    }

    @Test
    void readLimitsAndTheBudgetFollowTheProperties() {
        runner.withPropertyValues("hookguard.body-read-timeout=7s", "hookguard.budget.max-bytes-in-flight=1MB",
                "hookguard.budget.max-waiting-reads=3").run(context -> {
            WebhookEndpoint<?> endpoint = context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class);
            assertThat(dev.hookguard.delivery.spi.Adapters.bodyReadTimeout(endpoint)).isEqualTo(Duration.ofSeconds(7));
            BodyBudget budget = context.getBean(BodyBudget.class);
            assertThat(budget.maxBytesInFlight()).isEqualTo(1024 * 1024);
            assertThat(budget.maxWaitingReads()).isEqualTo(3);
            assertThat(budget).isNotSameAs(BodyBudget.processWide());
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnFilterAndConfigurer {
        static final FilterRegistrationBean<?> FILTER = new FilterRegistrationBean<>();

        @Bean
        FilterRegistrationBean<?> hookguardMauticFilter() {
            return FILTER;
        }

        @Bean
        FilterRegistrationBean<?> hookguardMauticEvents() {
            return new FilterRegistrationBean<>();
        }

        @Bean
        org.springframework.web.servlet.config.annotation.WebMvcConfigurer hookguardWebMvcConfigurer() {
            return new org.springframework.web.servlet.config.annotation.WebMvcConfigurer() { };
        }
    }

    @Test
    void everyRegistrationBacksOffForTheApplicationsOwnBeanOfTheSameName() {
        runner.withUserConfiguration(OwnFilterAndConfigurer.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("hookguardMauticFilter")).isSameAs(OwnFilterAndConfigurer.FILTER);
            assertThat(context.getBeansOfType(org.springframework.web.servlet.config.annotation.WebMvcConfigurer.class)).hasSize(1);
        });
    }

    @Test
    void theMetadataDescribesEveryPropertyForTheIde() throws Exception {
        java.util.Map<String, String> defaults = new java.util.HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            for (com.fasterxml.jackson.databind.JsonNode property : new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("properties")) {
                defaults.put(property.get("name").asText(), property.path("defaultValue").asText(null));
            }
        }
        assertThat(defaults).containsKeys("hookguard.mautic.secrets", "hookguard.malcolm.enabled", "hookguard.max-body-size",
                "hookguard.body-read-timeout", "hookguard.budget.max-waiting-reads", "hookguard.idempotency.store",
                "hookguard.idempotency.initialize-schema");
        assertThat(defaults).containsEntry("hookguard.mautic.path", "/webhooks/mautic").containsEntry("hookguard.malcolm.path", "/webhooks/malcolm")
                .containsEntry("hookguard.idempotency.store", "auto");
        assertThat(defaults).containsKey("hookguard.inbox.spool.directory").containsEntry("hookguard.inbox.spool.max-size", "1GB")
                .containsEntry("hookguard.inbox.spool.max-age", "24h");
    }
}
