package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.util.unit.DataSize;

/** The README's properties block, exactly as a user pastes it, and what startup makes of mistakes in it. */
class ReadmePropertiesTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class));

    /** The block's text, comments included. */
    private static String readmeText() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String block = readme.substring(readme.indexOf("<!-- spring-properties -->"), readme.indexOf("<!-- /spring-properties -->"));
        return block.substring(block.indexOf("```properties") + "```properties".length(), block.lastIndexOf("```"));
    }

    private static List<String> readmeBlock() throws IOException {
        Properties parsed = new Properties();
        parsed.load(new StringReader(readmeText()));
        List<String> pairs = new ArrayList<>();
        parsed.forEach((name, value) -> pairs.add(name + "=" + value));
        return pairs;
    }

    private WebApplicationContextRunner withEnvironment(Map<String, Object> variables) {
        return runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-systemEnvironment", variables)));
    }

    @Test
    void theReadmeBlockWithTheSecretsInTheEnvironmentMountsBothEndpointsOnTheirExactPaths() throws IOException {
        List<String> values = readmeBlock();
        assertThat(values).contains("hookguard.mautic.path=/webhooks/mautic", "hookguard.max-body-size=5MB").noneMatch(v -> v.contains("#"));
        withEnvironment(Map.of("HOOKGUARD_MAUTIC_SECRETS", "mautic-old,mautic-new", "HOOKGUARD_MALCOLM_SECRETS", "malcolm-secret"))
                .withPropertyValues(values.toArray(String[]::new)).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(((FilterRegistrationBean<?>) context.getBean("hookguardMauticFilter")).getUrlPatterns()).containsExactly("/webhooks/mautic");
                    assertThat(((FilterRegistrationBean<?>) context.getBean("hookguardMalcolmFilter")).getUrlPatterns()).containsExactly("/webhooks/malcolm");
                    assertThat(context.getBean("hookguardMauticVerifier").toString()).contains("2 secret(s)");
                    // The spool's bounds as the README states them are the starter's defaults, and bind as written.
                    assertThat(values).contains("hookguard.inbox.spool.max-size=1GB", "hookguard.inbox.spool.max-age=24h");
                    assertThat(context.getBean(HookguardProperties.class).inbox().spool())
                            .isEqualTo(new HookguardProperties.Inbox.Spool(null, DataSize.ofGigabytes(1), Duration.ofHours(24)));
                });
    }

    @Test
    void theSpoolDirectoryLineUncommentedIsAPath() throws IOException {
        String line = readmeText().lines().filter(l -> l.startsWith("#hookguard.inbox.spool.directory=")).findFirst()
                .orElseThrow(() -> new AssertionError("the README's block shows hookguard.inbox.spool.directory, commented out"));
        List<String> values = new ArrayList<>(readmeBlock());
        values.add(line.substring(1));
        withEnvironment(Map.of("HOOKGUARD_MAUTIC_SECRETS", "m", "HOOKGUARD_MALCOLM_SECRETS", "n"))
                .withPropertyValues(values.toArray(String[]::new)).run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(HookguardProperties.class).inbox().spool().directory())
                            .isEqualTo(Path.of("/var/lib/hookguard/spool"));
                });
    }

    @Test
    void theReadmeBlockWithAVariableUnsetStopsStartupNamingThePropertyAndTheVariable() throws IOException {
        withEnvironment(Map.of("HOOKGUARD_MALCOLM_SECRETS", "set")).withPropertyValues(readmeBlock().toArray(String[]::new)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("hookguard.mautic.secrets");
        });
    }

    @Test
    void aSecretThatIsAnUnresolvedPlaceholderStopsStartup() {
        runner.withPropertyValues("hookguard.mautic.secrets=${MY_UNSET_VARIABLE}").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("hookguard.mautic.secrets")
                    .hasMessageContaining("unresolved placeholder");
        });
    }

    @Test
    void aCommentLeftAfterAPathStopsStartupNamingTheProperty() {
        runner.withPropertyValues("hookguard.mautic.secrets=m1", "hookguard.mautic.path=/webhooks/mautic    # the default").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("hookguard.mautic.path");
        });
    }
}
