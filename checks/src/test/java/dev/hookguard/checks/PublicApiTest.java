package dev.hookguard.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Admission;
import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.servlet.WebhookVerificationFilter;
import dev.hookguard.spring.HookguardAutoConfiguration;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each library module's public API, dumped from its compiled classes, must equal the committed
 * {@code <module>/api/<artifact>.api} (as OkHttp keeps {@code api/*.api}): a change to the API is a change to that
 * file, reviewed with it. After an intended change, rewrite the files with
 * {@code mvn -pl checks -am verify -Dhookguard.api.update=true} and commit them.
 */
class PublicApiTest {

    private static final boolean UPDATE = Boolean.getBoolean("hookguard.api.update");

    static Stream<Arguments> modules() {
        return Stream.of(
                Arguments.of("core", "hookguard-core", Admission.class),
                Arguments.of("testing", "hookguard-testing", MauticSender.class),
                Arguments.of("inbox", "hookguard-inbox", dev.hookguard.inbox.JdbcInbox.class),
                Arguments.of("servlet-filter", "hookguard-servlet-filter", WebhookVerificationFilter.class),
                Arguments.of("javalin-plugin", "hookguard-javalin-plugin", HookguardPlugin.class),
                Arguments.of("spring-starter", "hookguard-spring-boot-starter", HookguardAutoConfiguration.class));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("modules")
    void theApiIsTheCommittedOne(String folder, String artifact, Class<?> member) throws Exception {
        Path location = ModuleDescriptorTest.locationOf(member);
        String dump = dump(location);
        Path file = Path.of("..", folder, "api", artifact + ".api");
        if (UPDATE) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, dump, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("the committed API of " + artifact + ": create it with -Dhookguard.api.update=true").exists();
        String committed = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(dump).as(artifact + "'s public API differs from " + file.normalize()
                + ": if the change is intended, rerun with -Dhookguard.api.update=true and commit the file").isEqualTo(committed);
    }

    /** Public types of the exported (or, without a module descriptor, non-internal) packages, with their public and protected members. */
    static String dump(Path location) throws IOException, ClassNotFoundException {
        Predicate<String> exported = exportedPackages(location);
        List<String> names = classNames(location);
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            if (!isVisible(type) || !exported.test(type.getPackageName())) {
                continue;
            }
            out.append(declaration(type)).append('\n');
            Set<String> members = new TreeSet<>();
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (isApi(c, type)) {
                    members.add(c.toGenericString());
                }
            }
            for (Method m : type.getDeclaredMethods()) {
                if (isApi(m, type) && !m.isSynthetic() && !m.isBridge()) {
                    members.add(m.toGenericString());
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (isApi(f, type) && !f.isSynthetic()) {
                    members.add(f.toGenericString());
                }
            }
            // Each member without its owner's name, which the line above already gives.
            members.stream().map(m -> m.replace(type.getName() + ".", "")).sorted().forEach(m -> out.append("  ").append(m).append('\n'));
            out.append('\n');
        }
        return out.toString();
    }

    private static Predicate<String> exportedPackages(Path location) {
        Optional<ModuleDescriptor> descriptor = ModuleFinder.of(location).findAll().stream().map(r -> r.descriptor())
                .filter(d -> !d.isAutomatic()).findFirst();
        if (descriptor.isPresent()) {
            Set<String> exports = descriptor.get().exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                    .collect(Collectors.toSet());
            return exports::contains;
        }
        return pkg -> !pkg.contains(".internal");
    }

    private static List<String> classNames(Path location) throws IOException {
        List<String> entries = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                files.filter(p -> p.toString().endsWith(".class")).forEach(p -> entries.add(location.relativize(p).toString()));
            }
        } else {
            try (ZipFile zip = new ZipFile(location.toFile())) {
                zip.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && !n.startsWith("META-INF/")).forEach(entries::add);
            }
        }
        return entries.stream().filter(n -> !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
                .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.').replace('\\', '.')).sorted().toList();
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isApi(Member member, Class<?> owner) {
        int modifiers = member.getModifiers();
        boolean protectedReachable = Modifier.isProtected(modifiers) && !Modifier.isFinal(owner.getModifiers());
        return Modifier.isPublic(modifiers) || protectedReachable;
    }

    private static String declaration(Class<?> type) {
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : "class";
        int modifiers = type.getModifiers() & (Modifier.PUBLIC | Modifier.ABSTRACT | Modifier.FINAL | Modifier.STATIC);
        if (type.isInterface()) {
            modifiers &= ~Modifier.ABSTRACT;
        }
        if (type.isEnum() || type.isRecord()) {
            modifiers &= ~Modifier.FINAL;
        }
        StringBuilder s = new StringBuilder(Modifier.toString(modifiers)).append(' ').append(kind).append(' ').append(type.getName());
        if (type.getTypeParameters().length > 0) {
            s.append(Arrays.stream(type.getTypeParameters()).map(t -> t.getTypeName()
                            + (t.getBounds().length == 1 && t.getBounds()[0] == Object.class ? ""
                            : " extends " + Arrays.stream(t.getBounds()).map(b -> b.getTypeName()).collect(Collectors.joining(" & "))))
                    .collect(Collectors.joining(", ", "<", ">")));
        }
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum() && !type.isRecord()) {
            s.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0 && !type.isAnnotation()) {
            s.append(type.isInterface() ? " extends " : " implements ").append(Arrays.stream(type.getGenericInterfaces())
                    .map(t -> t.getTypeName()).collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            s.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(Class::getName).collect(Collectors.joining(", ")));
        }
        return s.toString();
    }

}
