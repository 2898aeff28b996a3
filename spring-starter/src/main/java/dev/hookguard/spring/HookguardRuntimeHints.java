package dev.hookguard.spring;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * What an ahead-of-time processed application (a native image) needs of the starter that Boot's AOT processing
 * cannot see in the bean definitions. The properties record, the failure analyzer and {@code @VerifiedWebhook}
 * controller methods need nothing here: Boot registers them itself. Registered in {@code META-INF/spring/aot.factories}.
 */
final class HookguardRuntimeHints implements RuntimeHintsRegistrar {

    /** The inbox's schema, one file per database, read as a resource when it creates its table at startup. */
    static final String INBOX_SCHEMA = "db/hookguard/*/V1__inbox.sql";

    /**
     * Types the starter looks up by name at run time ({@code ClassUtils.isPresent}) to choose a path; a native image
     * finds by name only the types it registered, and would quietly take the path without them.
     */
    static final String[] PROBED_TYPES = {
            "org.springframework.web.servlet.HandlerMapping",          // a controller of the app's own takes the path
            "io.micrometer.core.instrument.MeterRegistry",             // the inbox's counters
            "org.springframework.jdbc.datasource.ConnectionHolder",    // listeners join the inbox worker's transaction
    };

    /** With Actuator: the {@code hookguard} endpoint's answers, which its JSON (or JMX) mapper reads by reflection. */
    static final Class<?>[] ENDPOINT_ANSWERS = {InboxEndpoint.Summary.class, InboxEndpoint.Row.class, InboxEndpoint.Replay.class};

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        hints.resources().registerPattern(INBOX_SCHEMA);
        for (String type : PROBED_TYPES) {
            hints.reflection().registerTypeIfPresent(classLoader, type);
        }
        if (ClassUtils.isPresent("org.springframework.boot.actuate.endpoint.annotation.Endpoint", classLoader)) {
            new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), ENDPOINT_ANSWERS);
        }
    }
}
