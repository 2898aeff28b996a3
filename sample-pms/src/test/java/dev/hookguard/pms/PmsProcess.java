package dev.hookguard.pms;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The packaged PMS jar in a process of its own, as {@code java -jar} runs it. */
final class PmsProcess implements AutoCloseable {

    private final List<String> command;
    private final Path log;
    private Path workingDirectory;
    final int port;
    private Process process;

    PmsProcess(int port, Path log, String... args) {
        this.port = port;
        this.log = log;
        Path jar = Path.of("target", "hookguard-sample-pms.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": process tests run after package (mvn verify)");
        }
        command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "--server.port=" + port,
                "--hookguard.mautic.secrets=" + PmsApp.MAUTIC_SECRET, "--hookguard.malcolm.secrets=" + PmsApp.MALCOLM_SECRET,
                "--spring.security.user.name=" + PmsApp.USER, "--spring.security.user.password=" + PmsApp.PASSWORD));
        if (Boolean.getBoolean("spring.aot.enabled")) {
            // The ahead-of-time run of these tests (failsafe's aot-it): the jar's generated context, as a user runs it.
            command.add(1, "-Dspring.aot.enabled=true");
        }
        command.addAll(List.of(args));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Options for the JVM, after the defaults (so a later {@code -Xmx} wins). */
    PmsProcess jvm(String... options) {
        command.addAll(command.indexOf("-jar"), List.of(options));
        return this;
    }

    /** Runs the process in {@code dir}, which is also its home, where the default data directory then lives. */
    PmsProcess in(Path dir) {
        this.workingDirectory = dir;
        return this;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A GET of {@code path}, logged in with HTTP Basic as the test user. */
    HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).header("Authorization", "Basic "
                + java.util.Base64.getEncoder().encodeToString((PmsApp.USER + ":" + PmsApp.PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build();
    }

    /** Starts the process and waits until it answers. */
    PmsProcess start() throws Exception {
        if (workingDirectory != null) {
            command.add(1, "-Duser.home=" + workingDirectory.toAbsolutePath());
        }
        process = new ProcessBuilder(command).directory(workingDirectory == null ? null : workingDirectory.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the PMS exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = client.send(get("/api/issues?size=1"),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the PMS did not answer within 90 s; see " + log);
    }

    /** {@code kill -9}: no shutdown hook, no flush, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
