package dev.hookguard.pms;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * In demo mode, generates the secrets and the login password that are not configured (and prints them once), so a newcomer can start the
 * sample with one command. Outside demo mode nothing is generated: the starter refuses to start and names the
 * property to set.
 */
final class DemoSecrets implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final String[] PROPERTIES = {"hookguard.mautic.secrets", "hookguard.malcolm.secrets"};

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        if (!DemoRunner.isDemo(environment)) {
            return;
        }
        Map<String, Object> generated = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (String property : PROPERTIES) {
            String value = environment.getProperty(property);
            if (value == null || value.isBlank()) {
                byte[] secret = new byte[32];
                random.nextBytes(secret);
                generated.put(property, HexFormat.of().formatHex(secret));
            }
        }
        String password = environment.getProperty("spring.security.user.password");
        if (password == null || password.isBlank()) {
            byte[] secret = new byte[18];
            random.nextBytes(secret);
            generated.put("spring.security.user.password", java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
        }
        if (!generated.isEmpty()) {
            environment.getPropertySources().addLast(new MapPropertySource("hookguard-demo-secrets", generated));
            System.out.println();
            System.out.println("Demo mode: generated what was not configured (webhook secrets: configure them in Mautic and Malcolm!"
                    + " to send for real; the password: log in as " + environment.getProperty("spring.security.user.name", "user") + "):");
            generated.forEach((k, v) -> System.out.println("  " + k + "=" + v));
            System.out.println();
        }
    }
}
