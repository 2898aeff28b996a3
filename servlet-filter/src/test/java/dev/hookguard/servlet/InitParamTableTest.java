package dev.hookguard.servlet;

import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.naming.Context;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's init-param table is the filter's: the same names as its {@code *_PARAM} constants, and every one of
 * them read, checked and named when its value is wrong (so a typo stops the application instead of being ignored).
 */
class InitParamTableTest {

    private static final String DIRECT_KEYS = "java:comp/env/jdbc/keys";
    private static final String INBOX = "java:comp/env/jdbc/inbox";

    /** The filter's own config object for one filter: what a container hands to {@code init}. */
    private record Config(Map<String, String> params) implements FilterConfig {
        @Override
        public String getFilterName() {
            return "hookguard-test";
        }

        @Override
        public ServletContext getServletContext() {
            return null;
        }

        @Override
        public String getInitParameter(String name) {
            return params.get(name);
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.enumeration(params.keySet());
        }
    }

    @BeforeEach
    void naming() throws IOException {
        System.setProperty(Context.INITIAL_CONTEXT_FACTORY, WebXmlInboxTest.Naming.class.getName());
        Path dir = Files.createDirectories(Path.of("target", "init-params-" + System.nanoTime()));
        for (String name : new String[] {DIRECT_KEYS, INBOX}) {
            JdbcDataSource h2 = TestH2.file(dir.resolve(name.substring(name.lastIndexOf('/') + 1)));
            WebXmlInboxTest.JNDI.put(name, h2);
        }
    }

    @AfterEach
    void clearNaming() {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        WebXmlInboxTest.JNDI.clear();
    }

    static Set<String> constants() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field field : WebhookVerificationFilter.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_PARAM")) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }

    @Test
    void theReadmeTableListsExactlyTheFiltersInitParams() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int table = readme.indexOf("| init-param | default | meaning |");
        assertThat(table).as("the init-param table in the README").isPositive();
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("^\\| `([a-z-]+)` \\|", Pattern.MULTILINE).matcher(readme.substring(table, readme.indexOf("\n\n", table)));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).isEqualTo(constants());
    }

    /** Each param with a value it must refuse, on top of settings that are valid without it. */
    static Stream<Arguments> wrongValues() {
        Map<String, String> direct = Map.of("scheme", "mautic", "secrets", "a-secret");
        Map<String, String> keys = with(direct, "idempotency-datasource", DIRECT_KEYS);
        Map<String, String> inbox = with(direct, "handler-class", WebXmlInboxTest.CountingHandler.class.getName(), "inbox-datasource", INBOX,
                "inbox-initialize-schema", "true");
        // Never opened: a bound is refused before the inbox is built.
        String spool = Path.of("target", "init-params-spool-" + System.nanoTime()).toString();
        return Stream.of(
                Arguments.of("scheme", with(direct, "scheme", "github")),
                Arguments.of("secrets", with(direct, "secrets", " , ")),
                Arguments.of("secrets-env", with(direct, "secrets-env", "HOOKGUARD_NOT_SET_ANYWHERE")),
                Arguments.of("max-body-bytes", with(direct, "max-body-bytes", "lots")),
                Arguments.of("non-blocking-reads", with(direct, "non-blocking-reads", "yes")),
                Arguments.of("handler-class", with(direct, "handler-class", "com.example.Missing")),
                Arguments.of("log-exception-messages", with(direct, "log-exception-messages", "sometimes")),
                Arguments.of("idempotency-datasource", with(direct, "idempotency-datasource", "java:comp/env/jdbc/typo")),
                Arguments.of("idempotency-table", with(keys, "idempotency-table", "keys; drop table x")),
                Arguments.of("idempotency-initialize-schema", with(keys, "idempotency-initialize-schema", "yes")),
                Arguments.of("inbox-datasource", with(inbox, "inbox-datasource", "java:comp/env/jdbc/typo")),
                Arguments.of("inbox-initialize-schema", with(inbox, "inbox-initialize-schema", "yes")),
                Arguments.of("inbox-table", with(inbox, "inbox-table", "inbox-of-mine")),
                Arguments.of("inbox-max-attempts", with(inbox, "inbox-max-attempts", "0")),
                Arguments.of("inbox-backoff-first", with(inbox, "inbox-backoff-first", "soon")),
                Arguments.of("inbox-backoff-max", with(inbox, "inbox-backoff-max", "-1s")),
                Arguments.of("inbox-handler-timeout", with(inbox, "inbox-handler-timeout", "0s")),
                Arguments.of("inbox-workers", with(inbox, "inbox-workers", "two")),
                Arguments.of("inbox-store-timeout", with(inbox, "inbox-store-timeout", "5 seconds")),
                // A directory under a file cannot be created.
                Arguments.of("inbox-spool-directory", with(inbox, "inbox-spool-directory", "pom.xml/spool")),
                Arguments.of("inbox-spool-max-bytes", with(inbox, "inbox-spool-directory", spool, "inbox-spool-max-bytes", "1GB")),
                Arguments.of("inbox-spool-max-age", with(inbox, "inbox-spool-directory", spool, "inbox-spool-max-age", "0s")));
    }

    @Test
    void everyInitParamHasAWrongValueCase() throws Exception {
        Set<String> covered = new TreeSet<>();
        wrongValues().forEach(a -> covered.add((String) a.get()[0]));
        assertThat(covered).isEqualTo(constants());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongValues")
    void aWrongValueStopsTheFilterNamingTheParam(String param, Map<String, String> params) {
        WebhookVerificationFilter filter = new WebhookVerificationFilter();
        assertThatThrownBy(() -> filter.init(new Config(params)))
                .hasMessageStartingWith("filter hookguard-test: ")
                .hasMessageContaining("'" + param + "'");
    }

    @Test
    void anInboxSettingWithoutTheInboxStopsTheFilterInsteadOfBeingIgnored() {
        WebhookVerificationFilter filter = new WebhookVerificationFilter();
        assertThatThrownBy(() -> filter.init(new Config(Map.of("scheme", "mautic", "secrets", "s", "inbox-max-attempts", "3"))))
                .hasMessageContaining("'inbox-max-attempts' needs 'inbox-datasource'");
        assertThatThrownBy(() -> filter.init(new Config(Map.of("scheme", "mautic", "secrets", "s", "idempotency-table", "keys"))))
                .hasMessageContaining("'idempotency-table' needs 'idempotency-datasource'");
    }

    @Test
    void aSpoolSettingWithoutTheInboxOrABoundWithoutTheSpoolStopsTheFilter() {
        Map<String, String> direct = Map.of("scheme", "mautic", "secrets", "s");
        assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(with(direct, "inbox-spool-directory", "target/spool"))))
                .hasMessageContaining("'inbox-spool-directory' needs 'inbox-datasource'");
        assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(with(direct, "inbox-spool-max-age", "1h"))))
                .hasMessageContaining("'inbox-spool-max-age' needs 'inbox-datasource'");
        Map<String, String> inbox = with(direct, "handler-class", WebXmlInboxTest.CountingHandler.class.getName(), "inbox-datasource", INBOX,
                "inbox-initialize-schema", "true");
        assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(with(inbox, "inbox-spool-max-bytes", "1000000"))))
                .hasMessageContaining("'inbox-spool-max-bytes' needs 'inbox-spool-directory'");
        assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(with(inbox, "inbox-spool-max-age", "1h"))))
                .hasMessageContaining("'inbox-spool-max-age' needs 'inbox-spool-directory'");
    }

    @Test
    void twoFiltersOnOneSpoolDirectoryStopTheSecondNamingTheParam() throws Exception {
        String spool = Path.of("target", "init-params-shared-spool-" + System.nanoTime()).toString();
        Map<String, String> params = Map.of("scheme", "mautic", "secrets", "s", "handler-class", WebXmlInboxTest.CountingHandler.class.getName(),
                "inbox-datasource", INBOX, "inbox-initialize-schema", "true", "inbox-spool-directory", spool);
        WebhookVerificationFilter first = new WebhookVerificationFilter();
        first.init(new Config(params));
        try {
            Map<String, String> malcolm = with(params, "scheme", "malcolm");
            assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(malcolm)))
                    .hasMessageStartingWith("filter hookguard-test: init-param 'inbox-spool-directory': ")
                    .hasMessageContaining("each instance needs a directory of its own");
        } finally {
            first.destroy();
        }
    }

    @Test
    void aDestroyedFilterFreesItsSpoolDirectoryForTheNextDeployment() throws Exception {
        String spool = Path.of("target", "init-params-redeployed-spool-" + System.nanoTime()).toString();
        Map<String, String> params = Map.of("scheme", "mautic", "secrets", "s", "handler-class", WebXmlInboxTest.CountingHandler.class.getName(),
                "inbox-datasource", INBOX, "inbox-initialize-schema", "true", "inbox-spool-directory", spool);
        WebhookVerificationFilter first = new WebhookVerificationFilter();
        first.init(new Config(params));
        first.destroy(); // an undeployment; the JVM goes on
        WebhookVerificationFilter redeployed = new WebhookVerificationFilter();
        redeployed.init(new Config(params));
        redeployed.destroy();
    }

    @Test
    void aKeyStoreInInboxModeIsRefusedBecauseTheInboxKeepsTheKeys() {
        Map<String, String> both = with(Map.of("scheme", "mautic", "secrets", "s", "handler-class", WebXmlInboxTest.CountingHandler.class.getName(),
                "inbox-datasource", INBOX), "idempotency-datasource", DIRECT_KEYS);
        assertThatThrownBy(() -> new WebhookVerificationFilter().init(new Config(both)))
                .hasMessageContaining("'idempotency-datasource' is for direct mode");
    }

    @Test
    void durationsAreReadInEitherWriting() throws Exception {
        InitParams params = new InitParams(new Config(Map.of("a", "500ms", "b", "10s", "c", "5m", "d", "1h", "e", "7d", "f", "PT10S", "g", "pt2m")),
                name -> null);
        assertThat(params.duration("a")).contains(java.time.Duration.ofMillis(500));
        assertThat(params.duration("b")).contains(java.time.Duration.ofSeconds(10));
        assertThat(params.duration("c")).contains(java.time.Duration.ofMinutes(5));
        assertThat(params.duration("d")).contains(java.time.Duration.ofHours(1));
        assertThat(params.duration("e")).contains(java.time.Duration.ofDays(7));
        assertThat(params.duration("f")).contains(java.time.Duration.ofSeconds(10));
        assertThat(params.duration("g")).contains(java.time.Duration.ofMinutes(2));
        assertThat(params.duration("absent")).isEmpty();
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> params = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            params.put(pairs[i], pairs[i + 1]);
        }
        return params;
    }
}
