package dev.hookguard.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Java block of the README compiles against the published API, as pasted: its imports as shown (blocks
 * without imports get the packages the section before them names), statements in a method, method declarations
 * in a class, type declarations as they are. What a snippet takes from the reader's own application (an
 * {@code issues} service, the raw body) comes from {@link #CONTEXT}, and nothing else.
 */
class ReadmeCodeTest {

    /** The reader's own application, as far as the README's snippets use it. */
    private static final String CONTEXT = """
            abstract class ReadmeContext {
                interface Issues { void open(Object... what); }
                interface Tickets { void open(Object... what); }
                interface Crm { void add(Object contact); }
                interface Audit { void record(Object count); }
                interface Request { String getHeader(String name); }
                interface TenantRepository { java.util.List<String> webhookSecretsOf(String tenant); }
                Issues issues;
                Tickets tickets;
                Crm crm;
                Audit audit;
                Request request;
                byte[] rawBody;
                byte[] bodyBytes;
                String secret;
                javax.sql.DataSource dataSource;
                dev.hookguard.inbox.JdbcInbox inbox;
                dev.hookguard.delivery.IncomingRequest incomingRequest;
                java.util.Map<String, java.util.List<String>> secretsByInstance;
                java.util.List<String> secretsOf(String tenant) { return java.util.List.of(); }
            }
            """;

    /** Imports a block without its own gets: the README's core section says to import these packages. */
    private static final String DEFAULT_IMPORTS = Stream.of("java.util.*", "java.time.*", "java.net.URI", "dev.hookguard.delivery.*",
            "dev.hookguard.signature.*", "dev.hookguard.mautic.*", "dev.hookguard.malcolm.*", "dev.hookguard.payload.*",
            "dev.hookguard.idempotency.*", "dev.hookguard.sender.*").map(i -> "import " + i + ";").collect(Collectors.joining("\n"));

    private static final Pattern TYPE_DECLARATION = Pattern.compile("^(@[\\w.]+(\\([^)]*\\))?\\s*)*(public\\s+)?(final\\s+)?(abstract\\s+)?(class|record|interface)\\s",
            Pattern.DOTALL);
    private static final Pattern METHOD_DECLARATION = Pattern.compile("^(@[\\w.]+(\\([^)]*\\))?\\s*)+[\\w<>?,\\s]+\\s\\w+\\([^;{]*\\)\\s*\\{", Pattern.DOTALL);

    static Stream<Arguments> blocks() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<Arguments> blocks = new ArrayList<>();
        while (m.find()) {
            int line = readme.substring(0, m.start()).split("\n", -1).length;
            blocks.add(Arguments.of(line, m.group(1)));
        }
        assertThat(blocks).hasSizeGreaterThan(10);
        return blocks.stream();
    }

    @ParameterizedTest(name = "README line {0}")
    @MethodSource("blocks")
    void compilesAsPasted(int line, String block) {
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String l : block.split("\n")) {
            if (l.startsWith("import ")) {
                imports.add(l);
            } else {
                body.append(l).append('\n');
            }
        }
        String code = body.toString().strip();
        String members;
        if (TYPE_DECLARATION.matcher(code).find() || METHOD_DECLARATION.matcher(code).find()) {
            // Types become member types, so that what they use of the application resolves as it would in it.
            members = code.replaceAll("(?m)^public final class", "final class").replaceAll("(?m)^public class", "class");
        } else {
            members = "Object snippet() throws Exception {\n" + code + "\nreturn null;\n}";
        }
        String className = "Block" + line;
        String source = (imports.isEmpty() ? DEFAULT_IMPORTS : String.join("\n", imports)) + "\n\n"
                + "@SuppressWarnings(\"unused\")\nclass " + className + " extends ReadmeContext {\n" + members + "\n}\n";
        List<String> errors = compile(className, source);
        assertThat(errors).as("README block at line %d, compiled as:%n%s", line, source).isEmpty();
    }

    private static List<String> compile(String className, String source) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> units = List.of(new Source(className, source), new Source("ReadmeContext", CONTEXT));
        List<String> options = List.of("-proc:none", "-d", targetDirectory(), "-classpath", System.getProperty("java.class.path"),
                "--release", "17");
        compiler.getTask(null, null, diagnostics, options, null, units).call();
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).toList();
    }

    private static String targetDirectory() {
        try {
            return Files.createDirectories(Path.of("target", "readme-blocks")).toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className + ".java"), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
