package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.servlet.WebhookVerificationFilter;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.WebhookSigner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class HookguardAutoConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class));

    @Test
    void withoutSecretsNoEndpointIsVerifiedButTheStoreExists() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("hookguardMauticEndpoint").doesNotHaveBean("hookguardMalcolmEndpoint");
            assertThat(context).hasSingleBean(IdempotencyStore.class);
            assertThat(context.getBeansOfType(FilterRegistrationBean.class)).isEmpty();
        });
    }

    @Test
    void mauticSecretsAloneTurnOnOnlyTheMauticEndpoint() {
        runner.withPropertyValues("hookguard.mautic.secrets=m1").run(context -> {
            assertThat(context).hasBean("hookguardMauticEndpoint").hasBean("hookguardMauticFilter").doesNotHaveBean("hookguardMalcolmEndpoint");
            FilterRegistrationBean<?> filter = context.getBean("hookguardMauticFilter", FilterRegistrationBean.class);
            assertThat(filter.getUrlPatterns()).containsExactly("/webhooks/mautic");
            assertThat(filter.getFilter()).isInstanceOf(WebhookVerificationFilter.class);
        });
    }

    @Test
    void bothSendersWithTheirOwnPathsAndLimit() {
        runner.withPropertyValues("hookguard.mautic.secrets=m1,m2", "hookguard.malcolm.secrets=c1", "hookguard.malcolm.path=/in/malcolm",
                "hookguard.max-body-size=64KB").run(context -> {
            WebhookEndpoint<?> mautic = context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class);
            WebhookEndpoint<?> malcolm = context.getBean("hookguardMalcolmEndpoint", WebhookEndpoint.class);
            assertThat(mautic.scheme()).isSameAs(SignatureScheme.MAUTIC);
            assertThat(malcolm.scheme()).isSameAs(SignatureScheme.MALCOLM);
            assertThat(mautic.maxBodyBytes()).isEqualTo(64 * 1024);
            assertThat(context.getBean("hookguardMalcolmFilter", FilterRegistrationBean.class).getUrlPatterns()).containsExactly("/in/malcolm");
            SignatureVerifier verifier = context.getBean("hookguardMauticVerifier", SignatureVerifier.class);
            byte[] body = "{}".getBytes();
            assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "m2", body), null)).isTrue();
        });
    }

    @Test
    void secretsFromTheEnvironmentVariableAsACommaSeparatedList() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-systemEnvironment", Map.of("HOOKGUARD_MAUTIC_SECRETS", "env-a,env-b")))).run(context -> {
            assertThat(context).hasBean("hookguardMauticEndpoint");
            SignatureVerifier verifier = context.getBean("hookguardMauticVerifier", SignatureVerifier.class);
            byte[] body = "{}".getBytes();
            assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "env-b", body), null)).isTrue();
        });
    }

    @Test
    void disabledEndpointIsOffEvenWithSecrets() {
        runner.withPropertyValues("hookguard.mautic.secrets=m1", "hookguard.mautic.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("hookguardMauticEndpoint"));
    }

    @Test
    void enabledEndpointWithoutSecretFailsStartupNamingTheProperty() {
        runner.withPropertyValues("hookguard.malcolm.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(HookguardConfigurationException.class)
                    .hasMessageContaining("hookguard.malcolm.secrets is not set").hasMessageContaining("/webhooks/malcolm");
            FailureAnalysis analysis = new HookguardFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getAction()).contains("HOOKGUARD_MALCOLM_SECRETS").contains("hookguard.malcolm.enabled=false");
        });
    }

    @Test
    void emptyOrBlankSecretFailsStartupNamingTheProperty() {
        runner.withPropertyValues("hookguard.mautic.secrets=").run(context -> assertThat(context.getStartupFailure())
                .rootCause().hasMessageContaining("hookguard.mautic.secrets is not set"));
        runner.withPropertyValues("hookguard.mautic.secrets[0]=good", "hookguard.mautic.secrets[1]=  ").run(context -> assertThat(context.getStartupFailure())
                .rootCause().hasMessageContaining("hookguard.mautic.secrets holds a blank secret"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final IdempotencyStore STORE = InMemoryIdempotencyStore.builder().maxEntries(10).build();

        @Bean
        IdempotencyStore myStore() {
            return STORE;
        }

        @Bean
        SecretResolver hookguardMalcolmSecretResolver() {
            return instance -> "tenant0001".equals(instance) ? List.of("tenant-secret") : List.of();
        }

        @Bean
        SignatureVerifier hookguardMauticVerifier() {
            return SignatureVerifier.builder(SignatureScheme.MAUTIC).secret("my-own-verifier").build();
        }

        @Bean
        HookguardEndpointCustomizer smallLimit() {
            return builder -> builder.maxBodyBytes(1234);
        }
    }

    @Test
    void applicationBeansWinOverTheStartersAndCustomizersApply() {
        runner.withUserConfiguration(OwnBeans.class).withPropertyValues("hookguard.mautic.enabled=true", "hookguard.malcolm.enabled=true").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(IdempotencyStore.class)).isSameAs(OwnBeans.STORE);
            SignatureVerifier malcolm = context.getBean("hookguardMalcolmVerifier", SignatureVerifier.class);
            byte[] body = "{}".getBytes();
            assertThat(malcolm.isValid(body, WebhookSigner.sign(SignatureScheme.MALCOLM, "tenant-secret", body), "tenant0001")).isTrue();
            assertThat(malcolm.isValid(body, WebhookSigner.sign(SignatureScheme.MALCOLM, "tenant-secret", body), "other")).isFalse();
            SignatureVerifier mautic = context.getBean("hookguardMauticVerifier", SignatureVerifier.class);
            assertThat(mautic.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "my-own-verifier", body), null)).isTrue();
            assertThat(context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class).maxBodyBytes()).isEqualTo(1234);
            assertThat(context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class).idempotencyStore()).isSameAs(OwnBeans.STORE);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPipeline {
        @Bean
        WebhookEndpoint<?> hookguardMauticEndpoint() {
            return WebhookEndpoint.mautic().secrets("pipeline-secret").maxBodyBytes(99).build();
        }
    }

    @Test
    void applicationPipelineWins() {
        runner.withUserConfiguration(OwnPipeline.class).withPropertyValues("hookguard.mautic.secrets=x")
                .run(context -> assertThat(context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class).maxBodyBytes()).isEqualTo(99));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void metricsCustomizerExistsWithMicrometerOnTheClasspath() {
        runner.withUserConfiguration(Registry.class).withPropertyValues("hookguard.mautic.secrets=x")
                .run(context -> assertThat(context).hasBean("hookguardMetricsCustomizer"));
    }

    @Test
    void withoutMicrometerTheStarterStillWorks() {
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).withPropertyValues("hookguard.mautic.secrets=x").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("hookguardMetricsCustomizer");
            assertThat(context).hasBean("hookguardMauticEndpoint");
        });
    }

    @Test
    void notAWebApplicationGetsNothing() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
                .withPropertyValues("hookguard.mautic.secrets=x")
                .run(context -> assertThat(context).doesNotHaveBean(IdempotencyStore.class).doesNotHaveBean("hookguardMauticEndpoint"));
    }

    @Test
    void autoConfigurationIsRegisteredForSpringBoot() throws Exception {
        String imports = new String(getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports").readAllBytes());
        assertThat(imports.strip()).isEqualTo(HookguardAutoConfiguration.class.getName());
    }
}
