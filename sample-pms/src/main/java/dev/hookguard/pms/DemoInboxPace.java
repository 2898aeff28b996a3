package dev.hookguard.pms;

import java.util.Map;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * In demo mode, quick inbox retries unless configured: 3 attempts, 1 then 2 seconds apart. With the starter's
 * defaults (8 attempts, from 10 seconds doubling) the demo's failing delivery ({@link DemoFailure}) would take
 * about twenty minutes to be dead; with these, a few seconds. Outside demo mode nothing changes.
 */
final class DemoInboxPace implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

    static final int MAX_ATTEMPTS = 3;
    static final Map<String, Object> DEFAULTS = Map.of(
            "hookguard.inbox.max-attempts", Integer.toString(MAX_ATTEMPTS),
            "hookguard.inbox.first-retry", "1s",
            "hookguard.inbox.max-retry", "2s");

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment environment = event.getEnvironment();
        if (DemoRunner.isDemo(environment)) {
            // Last: anything configured (command line, environment, application.properties) wins.
            environment.getPropertySources().addLast(new MapPropertySource("hookguard-demo-inbox-pace", DEFAULTS));
        }
    }
}
