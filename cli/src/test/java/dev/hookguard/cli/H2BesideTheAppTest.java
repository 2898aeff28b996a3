package dev.hookguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hookguard inbox ...} on the H2 file a running application holds open, both with {@code AUTO_SERVER=TRUE} and
 * nothing more, as the README says: every run opens it, however often the application's connections come and go.
 */
class H2BesideTheAppTest {

    @TempDir
    Path dir;

    @Test
    void theCliOpensTheFileARunningAppHoldsEveryTime() throws Exception {
        String url = "jdbc:h2:retry:" + dir.resolve("app").toAbsolutePath() + ";AUTO_SERVER=TRUE";
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), H2AppProcess.class.getName(), url).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals("ready")) {
                // the app's startup lines
            }
            assertThat(line).as("the application started").isEqualTo("ready");
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                StringWriter stdout = new StringWriter();
                StringWriter stderr = new StringWriter();
                HookguardCli.Environment environment = new HookguardCli.Environment(Map.<String, String>of()::get, new ByteArrayInputStream(new byte[0]), false);
                int exit = HookguardCli.commandLine(environment, new PrintWriter(stdout, true), new PrintWriter(stderr, true))
                        .execute("inbox", "list", "--jdbc-url", url, "--user", "sa");
                if (exit != 0) {
                    failures.add("run " + i + ": " + stderr);
                }
                Thread.sleep(150);
            }
            assertThat(failures).isEmpty();
        } finally {
            app.destroy();
            app.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
