package dev.hookguard.pms;

import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The sample PMS started for real, as {@code java -jar} would, on a random port. */
final class PmsApp implements AutoCloseable {

    static final String MAUTIC_SECRET = "pms-mautic-secret";
    static final String MALCOLM_SECRET = "pms-malcolm-secret";
    static final String USER = "pms-tester";
    static final String PASSWORD = "pms-test-password";

    final ConfigurableApplicationContext context;

    PmsApp(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static PmsApp start(String databaseUrl, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + databaseUrl,
                "--hookguard.mautic.secrets=" + MAUTIC_SECRET, "--hookguard.malcolm.secrets=" + MALCOLM_SECRET,
                "--spring.security.user.name=" + USER, "--spring.security.user.password=" + PASSWORD));
        args.addAll(List.of(extraArgs));
        return new PmsApp(builder().listeners(new DemoSecrets()).run(args.toArray(String[]::new)));
    }

    /**
     * The application as {@code main} builds it. Named as the main class, since under {@code -Dspring.aot.enabled=true}
     * Boot looks for {@code <main class>__ApplicationContextInitializer}, and would otherwise take the test runner's.
     */
    static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(SamplePmsApplication.class).main(SamplePmsApplication.class);
    }

    /**
     * Inbox mode on an H2 file in {@code dir} (the inbox refuses an in-memory database), with one attempt per
     * delivery, so that a failing delivery is dead at once.
     */
    static PmsApp startInInboxMode(Path dir, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--hookguard.inbox.enabled=true", "--hookguard.inbox.max-attempts=1",
                "--pms.data-dir=" + dir));
        args.addAll(List.of(extraArgs));
        return start("jdbc:h2:retry:" + dir.resolve("pms") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE", args.toArray(String[]::new));
    }

    JdbcInbox inbox() {
        return context.getBean(JdbcInbox.class);
    }

    /** Waits (up to 10 s) until the inbox row {@code key} is in {@code state}; fails with the row as it last was. */
    InboxEntry awaitInbox(String key, JdbcInbox.State state) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        java.util.Optional<InboxEntry> entry = inbox().show(key);
        while (entry.map(e -> e.state() != state).orElse(true) && System.nanoTime() < until) {
            Thread.sleep(50);
            entry = inbox().show(key);
        }
        return entry.filter(e -> e.state() == state)
                .orElseThrow(() -> new AssertionError(key + " not " + state + " within 10 s: " + inbox().show(key)));
    }

    /** A RestAssured request logged in with HTTP Basic as the test user. */
    static io.restassured.specification.RequestSpecification loggedIn() {
        return io.restassured.RestAssured.given().auth().preemptive().basic(USER, PASSWORD);
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    Repository repository() {
        return context.getBean(Repository.class);
    }

    @Override
    public void close() {
        context.close();
    }
}
