package dev.hookguard.pms;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
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
        return new PmsApp(new SpringApplicationBuilder(SamplePmsApplication.class).listeners(new DemoSecrets()).run(args.toArray(String[]::new)));
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
