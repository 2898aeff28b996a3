package dev.hookguard.pms;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * In demo mode, supplies the webhook secrets and the login password that are not configured, so a newcomer can
 * start the sample with one command. They are generated once and kept in {@code <pms.data-dir>/demo-secrets.properties}
 * (readable by the owner only), so the secrets configured in Mautic and Malcolm! stay valid from one run to the
 * next; they are printed only when new. Outside demo mode nothing is generated: the starter refuses to start
 * and names the property to set.
 */
final class DemoSecrets implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final String PASSWORD = "spring.security.user.password";
    static final String[] PROPERTIES = {"hookguard.mautic.secrets", "hookguard.malcolm.secrets", PASSWORD};
    static final String FILE = "demo-secrets.properties";
    /** The property source holding what the demo supplied: how the sign-in page tells a demo password from a configured one. */
    static final String PROPERTY_SOURCE = "hookguard-demo-secrets";

    /** Where the demo keeps what it generated: {@code <pms.data-dir>/demo-secrets.properties}. */
    static Path file(Environment environment) {
        return Path.of(environment.getProperty("pms.data-dir", "data")).resolve(FILE).toAbsolutePath();
    }

    /** The file holding the login password, when the demo supplied it (it was not configured); empty otherwise. */
    static Optional<Path> passwordFile(ConfigurableEnvironment environment) {
        PropertySource<?> supplied = environment.getPropertySources().get(PROPERTY_SOURCE);
        return supplied != null && supplied.containsProperty(PASSWORD) ? Optional.of(file(environment)) : Optional.empty();
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        if (!DemoRunner.isDemo(environment)) {
            return;
        }
        Path file = file(environment);
        Properties kept = load(file);
        Map<String, Object> supplied = new LinkedHashMap<>();
        boolean generatedNow = false;
        SecureRandom random = new SecureRandom();
        for (String property : PROPERTIES) {
            String configured = environment.getProperty(property);
            if (configured != null && !configured.isBlank()) {
                continue;
            }
            String value = kept.getProperty(property);
            if (value == null || value.isBlank()) {
                value = property.endsWith("password") ? Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 18))
                        : HexFormat.of().formatHex(bytes(random, 32));
                kept.setProperty(property, value);
                generatedNow = true;
            }
            supplied.put(property, value);
        }
        if (supplied.isEmpty()) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, supplied));
        String user = environment.getProperty("spring.security.user.name", "user");
        if (generatedNow) {
            save(file, kept);
            System.out.println();
            System.out.println("Demo mode: generated what was not configured, kept in " + file.toAbsolutePath() + " for the next runs."
                    + " Configure the webhook secrets in Mautic and Malcolm! to send for real; log in as " + user + ":");
            supplied.forEach((k, v) -> System.out.println("  " + k + "=" + v));
            System.out.println();
        } else {
            System.out.println("Demo mode: the webhook secrets and the password for " + user + " are those of " + file.toAbsolutePath());
        }
    }

    private static byte[] bytes(SecureRandom random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return properties;
    }

    private static void save(Path file, Properties properties) {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the user's profile folder is private already
                }
            }
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                properties.store(out, "Hookguard sample PMS, --demo: generated once, kept for the next runs");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
