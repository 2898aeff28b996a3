package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.InboxCounts;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.inbox.SpoolCounts;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Inbox mode ({@code hookguard.inbox.enabled=true}, with {@code hookguard-inbox} on the class path): deliveries
 * are stored in the application's DataSource and answered 202; the inbox's workers publish them as events to the
 * application's {@code @EventListener}s, with retries. Controllers do not see deliveries in this mode.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(JdbcInbox.class)
@ConditionalOnProperty(prefix = "hookguard.inbox", name = "enabled", havingValue = "true")
class InboxConfiguration {


    /** After Flyway, Liquibase or SQL init: creating the table first would make Flyway refuse a non-empty schema. */
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization
    JdbcInbox hookguardInbox(ObjectProvider<DataSource> dataSources, HookguardProperties properties, ApplicationContext context) {
        DataSource dataSource = dataSources.getIfUnique();
        if (dataSource == null) {
            throw new HookguardConfigurationException("hookguard.inbox.enabled",
                    "hookguard.inbox.enabled is true, but the application has no single DataSource bean to keep the inbox in");
        }
        HookguardProperties.Inbox settings = properties.inbox();
        JdbcInbox.Builder builder = JdbcInbox.builder(dataSource).maxAttempts(settings.maxAttempts())
                .backoff(settings.firstRetry(), settings.maxRetry()).handlerTimeout(settings.handlerTimeout()).workers(settings.workers());
        HookguardProperties.Inbox.Spool spool = settings.spool();
        if (spool.directory() != null) {
            if (spool.maxSize().toBytes() < 1) {
                throw new HookguardConfigurationException("hookguard.inbox.spool.max-size", "hookguard.inbox.spool.max-size must be positive");
            }
            if (spool.maxAge().isNegative() || spool.maxAge().isZero()) {
                throw new HookguardConfigurationException("hookguard.inbox.spool.max-age", "hookguard.inbox.spool.max-age must be positive");
            }
            builder.spool(spool.directory()).spoolLimits(spool.maxSize().toBytes(), spool.maxAge());
        }
        if (org.springframework.util.ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry", context.getClassLoader())) {
            InboxCounters.register(builder, context);
        }
        JdbcInbox inbox = builder.build();
        try {
            return checkedSchema(inbox, settings, dataSource);
        } catch (RuntimeException e) {
            inbox.close(); // no bean, so no destroy: free the spool's directory for the context's next start
            throw e;
        }
    }

    private static JdbcInbox checkedSchema(JdbcInbox inbox, HookguardProperties.Inbox settings, DataSource dataSource) {
        boolean create = switch (settings.initializeSchema()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case EMBEDDED -> IdempotencyStores.isEmbedded(dataSource);
        };
        java.util.OptionalInt known = inbox.prepareSchema(create); // empty: away at startup, and the spool takes deliveries
        if (known.isEmpty()) {
            return inbox;
        }
        int version = known.getAsInt();
        // Without its table every delivery would be answered 503, forever, with nothing in the log to say why.
        if (version < JdbcInbox.requiredSchemaVersion()) {
            String missing = version == 0 ? "the inbox table does not exist" : "the inbox table is at schema version " + version + " of "
                    + JdbcInbox.requiredSchemaVersion();
            throw new HookguardConfigurationException("hookguard.inbox.initialize-schema", missing + ": set hookguard.inbox.initialize-schema=always,"
                    + " or add " + inbox.schemaLocation() + "/V1__inbox.sql and V2__inbox.sql (in hookguard-inbox's jar) to your"
                    + " Flyway or Liquibase migrations");
        }
        return inbox;
    }

    /**
     * Puts both endpoints in inbox mode, with one handler: publish what was stored, as direct mode's events style
     * does, inside the worker's transaction as Spring sees it (see {@link InboxSpringTransaction}), timed as
     * {@code hookguard.handling} with Micrometer.
     */
    @Bean
    @ConditionalOnMissingBean(name = "hookguardInboxCustomizer")
    HookguardEndpointCustomizer hookguardInboxCustomizer(JdbcInbox inbox, ApplicationContext context, ObjectProvider<DataSource> dataSources) {
        PayloadEvents events = new PayloadEvents(context);
        DataSource dataSource = dataSources.getIfUnique();
        DataSource transactions = dataSource != null && InboxSpringTransaction.available() ? dataSource : null;
        InboxPublisher.Timer timer = org.springframework.util.ClassUtils.isPresent("io.micrometer.core.instrument.MeterRegistry",
                context.getClassLoader()) ? InboxCounters.handlingTimer(context) : InboxPublisher.Timer.NONE;
        return builder -> builder.onAny(new InboxPublisher(events, transactions, builder.scheme(), timer)).inbox(inbox);
    }

    /** Starts the workers once the context is up, and stops them (finishing or giving back what they hold) on shutdown. */
    @Bean
    @ConditionalOnMissingBean(name = "hookguardInboxWorkers")
    SmartLifecycle hookguardInboxWorkers(JdbcInbox inbox, ObjectProvider<WebhookEndpoint<?>> endpoints, HookguardProperties properties) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                inbox.start(endpoints.orderedStream().filter(WebhookEndpoint::hasInbox).toArray(WebhookEndpoint<?>[]::new));
                running = true;
            }

            @Override
            public void stop() {
                inbox.stop(properties.inbox().shutdownTimeout());
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    /** With Actuator on Boot 3.5: the inbox's counts as health (see {@link #report}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "hookguardInboxHealthIndicator")
        org.springframework.boot.actuate.health.HealthIndicator hookguardInboxHealthIndicator(JdbcInbox inbox) {
            return () -> {
                Report report = report(inbox);
                return (report.up() ? org.springframework.boot.actuate.health.Health.up() : org.springframework.boot.actuate.health.Health.down())
                        .withDetails(report.details()).build();
            };
        }
    }

    /**
     * The same on Boot 4, where health moved to {@code spring-boot-health}; the two never meet: each line has only
     * one of the two {@code HealthIndicator}s.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot4Health {
        @Bean
        @ConditionalOnMissingBean(name = "hookguardInboxHealthIndicator")
        org.springframework.boot.health.contributor.HealthIndicator hookguardInboxHealthIndicator(JdbcInbox inbox) {
            return () -> {
                Report report = report(inbox);
                return (report.up() ? org.springframework.boot.health.contributor.Health.up() : org.springframework.boot.health.contributor.Health.down())
                        .withDetails(report.details()).build();
            };
        }
    }

    /**
     * With Actuator: the {@code hookguard} endpoint (see {@link InboxEndpoint}), conditioned as the health indicator
     * is. Actuator's exposure and access settings decide where it answers: by default nowhere over HTTP.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Actuator {
        @Bean
        @ConditionalOnMissingBean(name = "hookguardInboxEndpoint")
        InboxEndpoint hookguardInboxEndpoint(JdbcInbox inbox, HookguardProperties properties) {
            return new InboxEndpoint(inbox, properties.logExceptionMessages());
        }

        @Bean
        @ConditionalOnMissingBean(name = "hookguardInboxEndpointWebExtension")
        InboxEndpointWebExtension hookguardInboxEndpointWebExtension(InboxEndpoint endpoint) {
            return new InboxEndpointWebExtension(endpoint);
        }
    }

    /**
     * Down when the workers were started and none is alive (or each is stuck past its handler timeout): the instance
     * would acknowledge deliveries it can never handle, so an orchestrator should restart it.
     */
    static boolean workersLost(JdbcInbox inbox) {
        return inbox.isStarted() && inbox.liveWorkers() == 0;
    }

    /** What both lines' indicators show: up or down, and the details in their order. */
    record Report(boolean up, java.util.Map<String, Object> details) {
    }

    /**
     * Up with the inbox's counts; down when the workers are lost, or when its database cannot be read and nothing
     * takes deliveries in its place. With a spool, its counts too: a database that cannot be read is not down while
     * the spool accepts (every verified delivery is still acknowledged safely, on disk), and a spool that refuses is
     * down whatever the database (deliveries are answered 503).
     */
    static Report report(JdbcInbox inbox) {
        java.util.Optional<SpoolCounts> spool = inbox.spoolCounts();
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        try {
            InboxCounts counts = inbox.counts();
            details.put("pending", counts.pending());
            details.put("running", counts.running());
            details.put("dead", counts.dead());
            details.put("oldestPendingSeconds", counts.oldestPendingAge().toSeconds());
            details.put("oldestDueSeconds", counts.oldestDueAge().toSeconds());
        } catch (RuntimeException e) {
            if (spool.isEmpty()) {
                // The class only: a driver's message may quote SQL or connection details.
                return new Report(false, java.util.Map.of("error", e.getClass().getName()));
            }
            details.put("database", "unreachable");
        }
        details.put("liveWorkers", inbox.liveWorkers());
        boolean spoolAccepting = true;
        if (spool.isPresent()) {
            SpoolCounts counts = spool.get();
            details.put("spooled", counts.entries());
            details.put("spoolBytes", counts.bytes());
            // Named as the README names it; ISO-8601 text (PT42S), since an "age" of a bare number would not say its unit.
            details.put("oldestSpooledAge", counts.oldestAge().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            details.put("spoolAccepting", counts.accepting());
            spoolAccepting = counts.accepting();
        }
        // A spool that refuses means 503s, whether the database is away or the spool still drains into it.
        return new Report(!workersLost(inbox) && spoolAccepting, details);
    }

    /** With Micrometer: gauges of the inbox (pending, dead, oldest pending age), and of its spool when it has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class Gauges {
        @Bean
        @ConditionalOnMissingBean(name = "hookguardInboxMeters")
        io.micrometer.core.instrument.binder.MeterBinder hookguardInboxMeters(JdbcInbox inbox) {
            return registry -> {
                io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.pending", inbox, i -> i.counts().pending())
                        .description("Stored deliveries waiting to be handled").register(registry);
                io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.dead", inbox, i -> i.counts().dead())
                        .description("Deliveries that failed every attempt").register(registry);
                io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.oldest.pending.age", inbox, i -> i.counts().oldestPendingAge().toMillis() / 1000.0)
                        .baseUnit("seconds").description("How long the oldest pending delivery has waited").register(registry);
                io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.oldest.due.age", inbox, i -> i.counts().oldestDueAge().toMillis() / 1000.0)
                        .baseUnit("seconds").description("How long the longest-due delivery has waited for a worker").register(registry);
                io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.workers.live", inbox, JdbcInbox::liveWorkers)
                        .description("Live inbox worker threads in this instance").register(registry);
                if (inbox.spoolCounts().isPresent()) {
                    // Read from the spool alone: they keep answering while the database, which the gauges above read, is away.
                    io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.spooled", inbox, i -> i.spoolCounts().orElseThrow().entries())
                            .description("Deliveries acknowledged into this instance's spool and not yet stored in the database").register(registry);
                    io.micrometer.core.instrument.Gauge.builder("hookguard.inbox.spool.oldest.age", inbox,
                                    i -> i.spoolCounts().orElseThrow().oldestAge().toMillis() / 1000.0)
                            .baseUnit("seconds").description("How long the oldest spooled delivery has waited for the database").register(registry);
                }
            };
        }
    }
}
