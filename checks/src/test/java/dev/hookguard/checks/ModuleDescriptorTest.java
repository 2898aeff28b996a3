package dev.hookguard.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import dev.hookguard.delivery.Admission;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Core is a named module that exports its API packages and, apart, its SPI package, never its internals; it resolves with what it requires. */
class ModuleDescriptorTest {

    static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void coreExportsItsApiPackagesAndNotItsInternals() {
        ModuleDescriptor core = ModuleFinder.of(locationOf(Admission.class)).find("dev.hookguard.core").orElseThrow().descriptor();
        Set<String> exported = core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertThat(exported).containsExactlyInAnyOrder("dev.hookguard.delivery", "dev.hookguard.idempotency", "dev.hookguard.malcolm",
                "dev.hookguard.mautic", "dev.hookguard.payload", "dev.hookguard.signature", "dev.hookguard.delivery.spi");
        assertThat(core.packages()).contains("dev.hookguard.internal", "dev.hookguard.delivery.internal");
        assertThat(core.opens()).isEmpty();
    }

    @Test
    void theOtherLibrariesNameTheirAutomaticModules() {
        Map<Class<?>, String> expected = Map.of(dev.hookguard.sender.MauticSender.class, "dev.hookguard.testing",
                dev.hookguard.inbox.JdbcInbox.class, "dev.hookguard.inbox",
                dev.hookguard.servlet.WebhookVerificationFilter.class, "dev.hookguard.servlet",
                dev.hookguard.javalin.HookguardPlugin.class, "dev.hookguard.javalin",
                dev.hookguard.spring.HookguardAutoConfiguration.class, "dev.hookguard.spring");
        expected.forEach((type, name) -> {
            Path jar = locationOf(type);
            assumeTrue(Files.isRegularFile(jar), "run after package: a classes folder has no manifest");
            assertThat(ModuleFinder.of(jar).findAll()).singleElement().satisfies(m -> assertThat(m.descriptor().name()).isEqualTo(name));
        });
    }

    @Test
    void coreResolvesAsAModuleWithJacksonCoreAloneAndHandsOutRawJsonThere() throws Exception {
        Path core = locationOf(Admission.class);
        assumeTrue(Files.isRegularFile(core), "run after package: the descriptor is in the jar");
        // No databind and no annotations: a Jackson 3 application has neither of Jackson 2.
        ModuleFinder finder = ModuleFinder.of(core, locationOf(JsonFactory.class));
        Configuration resolved = ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("dev.hookguard.core"));
        assertThat(resolved.findModule("dev.hookguard.core")).isPresent();
        assertThat(resolved.findModule("com.fasterxml.jackson.databind")).isEmpty();
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(resolved, ClassLoader.getPlatformClassLoader());
        // The parser slices bodies through a private constructor: that must work inside the named module too.
        Class<?> parser = layer.findLoader("dev.hookguard.core").loadClass("dev.hookguard.mautic.MauticPayloads");
        Object batch = parser.getMethod("parse", byte[].class).invoke(null, (Object) "{\"mautic.x\": [ {\"a\": \"\\u00e9\"} ]}".getBytes(StandardCharsets.UTF_8));
        Object events = batch.getClass().getMethod("events").invoke(batch);
        Object event = ((List<?>) events).get(0);
        Object raw = event.getClass().getMethod("raw").invoke(event);
        assertThat(raw.toString()).isEqualTo("{\"a\": \"\\u00e9\"}");
    }
}
