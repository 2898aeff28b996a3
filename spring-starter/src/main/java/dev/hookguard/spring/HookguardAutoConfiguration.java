package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.delivery.BodyBudget;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.servlet.WebhookVerificationFilter;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Verifies Mautic and Malcolm! webhooks on their paths as soon as their secrets are set. Every bean backs off
 * when the application defines its own: by type for {@link IdempotencyStore} and {@link BodyBudget}, by name for
 * the rest ({@code hookguardMauticEndpoint}, {@code hookguardMauticFilter}, ...). Remembers delivery keys in the
 * application's {@link DataSource} when it has exactly one, else in memory ({@code hookguard.idempotency.store}).
 */
@AutoConfiguration
@ConditionalOnClass({WebhookEndpoint.class, WebhookVerificationFilter.class, FilterRegistrationBean.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(HookguardProperties.class)
@org.springframework.context.annotation.Import(InboxConfiguration.class)
public class HookguardAutoConfiguration {

    /** Before Spring Security's chain (-100), so a forged delivery never reaches anything else. */
    static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    private static final System.Logger LOG = System.getLogger(HookguardAutoConfiguration.class.getName());

    /** After Flyway, Liquibase or SQL init, which refuse a schema that already holds the store's table. */
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization
    IdempotencyStore hookguardIdempotencyStore(HookguardProperties properties, ObjectProvider<DataSource> dataSources) {
        return IdempotencyStores.of(properties.idempotency(), dataSources);
    }

    @Bean
    @ConditionalOnMissingBean
    BodyBudget hookguardBodyBudget(HookguardProperties properties) {
        return BodyBudget.builder().maxBytesInFlight(properties.budget().maxBytesInFlight().toBytes())
                .maxWaitingReads(properties.budget().maxWaitingReads()).build();
    }


    /**
     * One line for each sender the starter mounts no endpoint for, with the reason: otherwise an application whose
     * secret did not reach it (a typo in a variable's name) starts quietly, and the sender meets 404s.
     */
    @Bean
    static org.springframework.beans.factory.SmartInitializingSingleton hookguardUnmountedSenders(
            org.springframework.beans.factory.ListableBeanFactory beans, org.springframework.core.env.Environment environment) {
        return () -> {
            for (SignatureScheme scheme : SignatureScheme.values()) {
                String name = scheme == SignatureScheme.MAUTIC ? "hookguardMauticEndpoint" : "hookguardMalcolmEndpoint";
                if (!beans.containsBean(name)) {
                    String prefix = "hookguard." + scheme.id();
                    String why = "false".equalsIgnoreCase(environment.getProperty(prefix + ".enabled")) ? prefix + ".enabled is false"
                            : prefix + ".secrets is not set";
                    LOG.log(System.Logger.Level.INFO, () -> "Hookguard: no " + scheme.id() + " endpoint is mounted: " + why);
                }
            }
        };
    }

    static List<String> secrets(String property, String path, List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new HookguardConfigurationException(property,
                    property + " is not set: the webhook endpoint " + path + " is enabled but has no secret to verify with");
        }
        for (String secret : secrets) {
            if (secret == null || secret.isBlank()) {
                throw new HookguardConfigurationException(property, property + " holds a blank secret: every secret must have content");
            }
            if (secret.contains("${")) {
                // Spring keeps an unresolved placeholder as literal text: a secret anyone can guess.
                throw new HookguardConfigurationException(property, property
                        + " holds an unresolved placeholder (${...}): set the environment variable or property it names");
            }
        }
        return secrets;
    }

    /** A path as a servlet URL pattern needs it: from the root, nothing a .properties comment could have left in it. */
    static String path(String property, String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/' || path.chars().anyMatch(Character::isWhitespace)) {
            throw new HookguardConfigurationException(property, property
                    + " must start with / and hold no whitespace (a comment after a value in .properties becomes part of it)");
        }
        return path;
    }

    /** The endpoint's path: the property, else {@code /webhooks/<sender>}; checked as a servlet URL pattern needs it. */
    static String path(HookguardProperties.Endpoint endpoint, SignatureScheme scheme) {
        return path("hookguard." + scheme.id() + ".path", endpoint.pathOr("/webhooks/" + scheme.id()));
    }

    /** The resolver bean of the application when there is one, else the secrets of the properties. */
    static SignatureVerifier verifier(SignatureScheme scheme, String property, String path, List<String> secrets,
                                      ObjectProvider<SecretResolver> resolver) {
        path(property.replace(".secrets", ".path"), path);
        SignatureVerifier.Builder builder = SignatureVerifier.builder(scheme);
        SecretResolver custom = resolver.getIfAvailable();
        return custom != null ? builder.secretResolver(custom).build() : builder.secrets(secrets(property, path, secrets)).build();
    }

    static <T> WebhookEndpoint<T> endpoint(WebhookEndpoint.Builder<T> builder, SignatureVerifier verifier, IdempotencyStore store,
                                           BodyBudget budget, HookguardProperties properties,
                                           ObjectProvider<HookguardEndpointCustomizer> customizers) {
        builder.verifier(verifier).idempotencyStore(store).bodyBudget(budget).maxBodyBytes(properties.maxBodySize().toBytes())
                .bodyReadTimeout(properties.bodyReadTimeout()).minBodyRate(properties.minBodyRate().toBytes())
                .logExceptionMessages(properties.logExceptionMessages());
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    static FilterRegistrationBean<WebhookVerificationFilter> verification(String name, WebhookEndpoint<?> endpoint, String path) {
        // One line per mounted endpoint, so a path that is not the one the sender posts to shows at startup.
        LOG.log(System.Logger.Level.INFO, () -> "Hookguard: " + path + " verifies " + endpoint);
        FilterRegistrationBean<WebhookVerificationFilter> registration = new FilterRegistrationBean<>(WebhookVerificationFilter.nonBlocking(endpoint));
        registration.setName(name);
        registration.addUrlPatterns(path);
        // The body is read without blocking a thread, then the verified request is dispatched again (ASYNC).
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    static FilterRegistrationBean<EventPublishingFilter> events(String name, ApplicationContext context, String path) {
        OwnControllerCheck controllers = OwnControllerCheck.of(context);
        FilterRegistrationBean<EventPublishingFilter> registration = new FilterRegistrationBean<>(new EventPublishingFilter(new PayloadEvents(context),
                controllers));
        registration.setName(name);
        registration.addUrlPatterns(path);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        registration.setOrder(FILTER_ORDER + 1);
        return registration;
    }

    /** The Mautic endpoint, on when {@code hookguard.mautic.enabled} or {@code hookguard.mautic.secrets} is set. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(EndpointEnabledCondition.Mautic.class)
    static class MauticEndpoint {

        @Bean(name = "hookguardMauticVerifier")
        @ConditionalOnMissingBean(name = "hookguardMauticVerifier")
        SignatureVerifier hookguardMauticVerifier(HookguardProperties properties,
                                                  @Qualifier("hookguardMauticSecretResolver") ObjectProvider<SecretResolver> resolver) {
            return verifier(SignatureScheme.MAUTIC, "hookguard.mautic.secrets", path(properties.mautic(), SignatureScheme.MAUTIC),
                    properties.mautic().secrets(), resolver);
        }

        @Bean(name = "hookguardMauticEndpoint")
        @ConditionalOnMissingBean(name = "hookguardMauticEndpoint")
        WebhookEndpoint<MauticBatch> hookguardMauticEndpoint(@Qualifier("hookguardMauticVerifier") SignatureVerifier verifier,
                IdempotencyStore store, BodyBudget budget, HookguardProperties properties, ObjectProvider<HookguardEndpointCustomizer> customizers) {
            return endpoint(WebhookEndpoint.mautic(), verifier, store, budget, properties, customizers);
        }

        @Bean
        @ConditionalOnMissingBean(name = "hookguardMauticFilter")
        FilterRegistrationBean<WebhookVerificationFilter> hookguardMauticFilter(
                @Qualifier("hookguardMauticEndpoint") WebhookEndpoint<MauticBatch> endpoint, HookguardProperties properties) {
            return verification("hookguardMauticFilter", endpoint, path(properties.mautic(), SignatureScheme.MAUTIC));
        }

        @Bean
        @ConditionalOnMissingBean(name = "hookguardMauticEvents")
        FilterRegistrationBean<EventPublishingFilter> hookguardMauticEvents(ApplicationContext context,
                                                                           HookguardProperties properties) {
            return events("hookguardMauticEvents", context, path(properties.mautic(), SignatureScheme.MAUTIC));
        }
    }

    /** The Malcolm! endpoint, on when {@code hookguard.malcolm.enabled} or {@code hookguard.malcolm.secrets} is set. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(EndpointEnabledCondition.Malcolm.class)
    static class MalcolmEndpoint {

        @Bean(name = "hookguardMalcolmVerifier")
        @ConditionalOnMissingBean(name = "hookguardMalcolmVerifier")
        SignatureVerifier hookguardMalcolmVerifier(HookguardProperties properties,
                                                   @Qualifier("hookguardMalcolmSecretResolver") ObjectProvider<SecretResolver> resolver) {
            return verifier(SignatureScheme.MALCOLM, "hookguard.malcolm.secrets", path(properties.malcolm(), SignatureScheme.MALCOLM),
                    properties.malcolm().secrets(), resolver);
        }

        @Bean(name = "hookguardMalcolmEndpoint")
        @ConditionalOnMissingBean(name = "hookguardMalcolmEndpoint")
        WebhookEndpoint<WorkflowSession> hookguardMalcolmEndpoint(@Qualifier("hookguardMalcolmVerifier") SignatureVerifier verifier,
                IdempotencyStore store, BodyBudget budget, HookguardProperties properties, ObjectProvider<HookguardEndpointCustomizer> customizers) {
            return endpoint(WebhookEndpoint.malcolm(), verifier, store, budget, properties, customizers);
        }

        @Bean
        @ConditionalOnMissingBean(name = "hookguardMalcolmFilter")
        FilterRegistrationBean<WebhookVerificationFilter> hookguardMalcolmFilter(
                @Qualifier("hookguardMalcolmEndpoint") WebhookEndpoint<WorkflowSession> endpoint, HookguardProperties properties) {
            return verification("hookguardMalcolmFilter", endpoint, path(properties.malcolm(), SignatureScheme.MALCOLM));
        }

        @Bean
        @ConditionalOnMissingBean(name = "hookguardMalcolmEvents")
        FilterRegistrationBean<EventPublishingFilter> hookguardMalcolmEvents(ApplicationContext context,
                                                                            HookguardProperties properties) {
            return events("hookguardMalcolmEvents", context, path(properties.malcolm(), SignatureScheme.MALCOLM));
        }
    }

    /** Controller style: {@code @VerifiedWebhook} parameters, and events only where no controller takes the path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({WebMvcConfigurer.class, HandlerMapping.class})
    static class WebMvc {

        @Bean
        @ConditionalOnMissingBean(name = "hookguardWebMvcConfigurer")
        WebMvcConfigurer hookguardWebMvcConfigurer() {
            return new WebMvcConfigurer() {
                @Override
                public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                    resolvers.add(new VerifiedWebhookArgumentResolver());
                }
            };
        }
    }

    /**
     * Micrometer's Observation API, when an {@code ObservationRegistry} is a bean (Actuator makes one): one
     * observation per delivery, so Boot's handlers make a timer of it and, with tracing, a span.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    static class Observations {

        @Bean
        @ConditionalOnMissingBean(name = "hookguardObservationCustomizer")
        HookguardEndpointCustomizer hookguardObservationCustomizer(ObjectProvider<io.micrometer.observation.ObservationRegistry> registry) {
            return builder -> registry.ifAvailable(r -> builder.observer(new HookguardObservations(r)));
        }
    }

    /** Micrometer, when it is on the classpath and a registry exists. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean(name = "hookguardMetricsCustomizer")
        HookguardEndpointCustomizer hookguardMetricsCustomizer(ObjectProvider<MeterRegistry> registry) {
            return builder -> registry.ifAvailable(r -> builder.observer(new HookguardMetrics(r)));
        }
    }
}
