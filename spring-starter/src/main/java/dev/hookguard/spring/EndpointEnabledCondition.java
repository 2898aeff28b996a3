package dev.hookguard.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** An endpoint is on when {@code hookguard.<sender>.enabled} says so, else when its secrets are set at all. */
abstract class EndpointEnabledCondition extends SpringBootCondition {

    private final String sender;

    EndpointEnabledCondition(String sender) {
        this.sender = sender;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment environment = context.getEnvironment();
        String prefix = "hookguard." + sender;
        Boolean enabled = Binder.get(environment).bind(prefix + ".enabled", Bindable.of(Boolean.class)).orElse(null);
        if (enabled != null) {
            return enabled ? ConditionOutcome.match(prefix + ".enabled is true") : ConditionOutcome.noMatch(prefix + ".enabled is false");
        }
        boolean secretsSet = environment.containsProperty(prefix + ".secrets")
                || environment.containsProperty(prefix + ".secrets[0]")
                || Binder.get(environment).bind(prefix + ".secrets", Bindable.listOf(String.class)).isBound();
        return secretsSet ? ConditionOutcome.match(prefix + ".secrets is set") : ConditionOutcome.noMatch(prefix + ".secrets is not set");
    }

    static final class Mautic extends EndpointEnabledCondition {
        Mautic() {
            super("mautic");
        }
    }

    static final class Malcolm extends EndpointEnabledCondition {
        Malcolm() {
            super("malcolm");
        }
    }
}
