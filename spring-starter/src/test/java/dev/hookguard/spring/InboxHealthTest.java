package dev.hookguard.spring;

import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The inbox's health indicator on whichever Boot line runs this test: Boot 3.5's {@code actuate.health} type, or
 * Boot 4's {@code health.contributor} one. Both have the same shape, so it is called through the line's interface.
 */
class InboxHealthTest {

    private static final String BOOT_3 = "org.springframework.boot.actuate.health.HealthIndicator";
    private static final String BOOT_4 = "org.springframework.boot.health.contributor.HealthIndicator";

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
            .withUserConfiguration(H2.class)
            .withPropertyValues("hookguard.mautic.secrets=inbox-health-secret", "hookguard.inbox.enabled=true",
                    "hookguard.inbox.initialize-schema=always");

    @Configuration(proxyBeanMethods = false)
    static class H2 {
        @Bean
        DataSource dataSource() {
            // A file: the inbox refuses an in-memory database, whose crash would lose acknowledged deliveries.
            return TestH2.freshFile("inbox-health");
        }
    }

    /** The HealthIndicator interface of this class path's Boot line: exactly one of the two exists. */
    private static Class<?> lineIndicator() {
        ClassLoader loader = InboxHealthTest.class.getClassLoader();
        boolean boot3 = isPresent(BOOT_3, loader);
        boolean boot4 = isPresent(BOOT_4, loader);
        assertThat(boot3).as("one Boot line on the class path").isNotEqualTo(boot4);
        try {
            return Class.forName(boot3 ? BOOT_3 : BOOT_4, false, loader);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean isPresent(String name, ClassLoader loader) {
        return org.springframework.util.ClassUtils.isPresent(name, loader);
    }

    /** {@code health()}'s status code and details, through the line's own types (also for {@link InboxSpoolStarterTest}). */
    @SuppressWarnings("unchecked")
    static Map.Entry<String, Map<String, Object>> health(ApplicationContext context) throws Exception {
        Class<?> type = lineIndicator();
        Object indicator = context.getBean("hookguardInboxHealthIndicator");
        assertThat(indicator).as("the indicator is this Boot line's HealthIndicator").isInstanceOf(type);
        Object health = type.getMethod("health").invoke(indicator);
        Method status = health.getClass().getMethod("getStatus");
        String code = (String) status.getReturnType().getMethod("getCode").invoke(status.invoke(health));
        return Map.entry(code, (Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health));
    }

    @Test
    void upWithPendingRunningDeadAndOldestPendingAgeOnThisBootLine() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(lineIndicator())).as("one indicator, of this line's type").hasSize(1)
                    .containsKey("hookguardInboxHealthIndicator");
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("UP");
            assertThat(health.getValue()).containsExactly(Map.entry("pending", (Object) 0L), Map.entry("running", (Object) 0L),
                    Map.entry("dead", (Object) 0L), Map.entry("oldestPendingSeconds", (Object) 0L), Map.entry("oldestDueSeconds", (Object) 0L),
                    Map.entry("liveWorkers", (Object) 2));
        });
    }

    @Test
    void downWithOnlyTheExceptionClassWhenTheInboxCannotBeRead() {
        runner.run(context -> {
            try (var connection = context.getBean(DataSource.class).getConnection(); var statement = connection.createStatement()) {
                statement.execute("drop table hookguard_inbox");
            }
            Map.Entry<String, Map<String, Object>> health = health(context);
            assertThat(health.getKey()).isEqualTo("DOWN");
            assertThat(health.getValue()).hasSize(1).containsKey("error");
            // A class name only: a driver's message would quote the SQL, or worse.
            assertThat((String) health.getValue().get("error")).matches("[a-zA-Z_$.]+");
        });
    }
}
