package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

class HookguardRuntimeHintsTest {

    private final RuntimeHints hints = registered();

    private static RuntimeHints registered() {
        RuntimeHints hints = new RuntimeHints();
        new HookguardRuntimeHints().registerHints(hints, HookguardRuntimeHintsTest.class.getClassLoader());
        return hints;
    }

    @Test
    void theInboxSchemaOfEachDatabaseIsAResourceHint() {
        for (String database : new String[] {"h2", "postgresql"}) {
            String schema = "db/hookguard/" + database + "/V1__inbox.sql";
            assertThat(getClass().getClassLoader().getResource(schema)).as("shipped by hookguard-inbox: %s", schema).isNotNull();
            assertThat(RuntimeHintsPredicates.resource().forResource(schema)).as(schema).accepts(hints);
        }
    }

    @Test
    void everyTypeTheStarterProbesByNameIsAReflectionHint() {
        assertThat(HookguardRuntimeHints.PROBED_TYPES).hasSize(3);
        for (String type : HookguardRuntimeHints.PROBED_TYPES) {
            assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))).as(type).accepts(hints);
        }
    }

    @Test
    void theActuatorEndpointsAnswersAreBindingHints() {
        assertThat(HookguardRuntimeHints.ENDPOINT_ANSWERS).hasSize(3);
        for (Class<?> answer : HookguardRuntimeHints.ENDPOINT_ANSWERS) {
            assertThat(RuntimeHintsPredicates.reflection().onType(answer)).as(answer.getName()).accepts(hints);
        }
        // Reached through the summary, whose component it is.
        assertThat(RuntimeHintsPredicates.reflection().onType(InboxEndpoint.Spool.class)).as("the summary's spool").accepts(hints);
    }

    @Test
    void aTypeThatIsNotOnTheClassPathIsNotRegistered() {
        RuntimeHints absent = new RuntimeHints();
        new HookguardRuntimeHints().registerHints(absent, new ClassLoader(null) {
        });
        assertThat(absent.reflection().typeHints()).isEmpty();
    }

    @Test
    void theRegistrarIsListedInAotFactories() {
        assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories").load(RuntimeHintsRegistrar.class))
                .hasAtLeastOneElementOfType(HookguardRuntimeHints.class);
    }
}
