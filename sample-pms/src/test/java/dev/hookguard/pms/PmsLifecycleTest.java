package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.spring.HookguardConfigurationException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PmsLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void issuesSurviveARestartOnTheSameDatabaseAndARedeliveryAfterItCreatesNoSecondIssue() {
        String url = "jdbc:h2:retry:" + dir.resolve("pms").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
        List<OutgoingEvent> form = SampleEvents.of("mautic.form_on_submit", 77, 1);
        try (PmsApp first = PmsApp.start(url)) {
            assertThat(MauticSender.builder(first.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build().sendImmediate(form).allDelivered()).isTrue();
            assertThat(first.repository().issues()).hasSize(1);
        }
        try (PmsApp second = PmsApp.start(url)) {
            assertThat(second.repository().issues()).singleElement()
                    .satisfies(issue -> assertThat(issue.externalKey()).isEqualTo("mautic:form_on_submit:20077"));
            // The in-memory idempotency store is new; the database still knows the event.
            assertThat(MauticSender.builder(second.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build().sendImmediate(form).allDelivered()).isTrue();
            assertThat(second.repository().issues()).hasSize(1);
            assertThat(second.repository().count("received_event")).isEqualTo(1);
        }
    }

    @Test
    void withoutSecretsAndWithoutDemoTheAppRefusesToStartNamingTheProperty() {
        assertThatThrownBy(() -> PmsApp.builder()
                .run("--server.port=0", "--spring.datasource.url=jdbc:h2:mem:nosecret"))
                .hasRootCauseInstanceOf(HookguardConfigurationException.class)
                .rootCause().hasMessageMatching("hookguard\\.(mautic|malcolm)\\.secrets is not set.*");
    }

    @Test
    void demoModeGeneratesSecretsAndPlaysTheScenario() throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "demo-" + System.nanoTime()));
        String keptSecret;
        try (PmsApp app = new PmsAppWithoutSecrets().start(dataDir)) {
            String secret = app.context.getEnvironment().getProperty("hookguard.mautic.secrets");
            assertThat(secret).hasSize(64).matches("[0-9a-f]+");
            String password = app.context.getEnvironment().getProperty("spring.security.user.password");
            assertThat(password).hasSizeGreaterThanOrEqualTo(20);
            // The generated password logs in; no password does not.
            io.restassured.RestAssured.given().auth().preemptive().basic("user", password).get(app.uri("/api/issues")).then().statusCode(200);
            io.restassured.RestAssured.given().get(app.uri("/api/issues")).then().statusCode(401);
            DemoRunner demo = app.context.getBean(DemoRunner.class);
            // The scenario already ran once at startup; its test payload is told apart by its second.
            Thread.sleep(1_100);
            List<DemoRunner.Step> steps = demo.play(app.uri("/webhooks/mautic"), app.uri("/webhooks/malcolm"), secret,
                    app.context.getEnvironment().getProperty("hookguard.malcolm.secrets"));
            assertThat(steps).extracting(DemoRunner.Step::statuses)
                    .containsExactly(List.of(200), List.of(200), List.of(200), List.of(200, 200), List.of(401), List.of(200));
            assertThat(steps).extracting(DemoRunner.Step::issuesCreated).containsExactly(1L, 1L, 1L, 1L, 0L, 0L);
            assertThat(steps).extracting(DemoRunner.Step::eventsRecorded).containsExactly(1L, 10L, 1L, 1L, 0L, 8L);
            assertThat(DemoRunner.table(steps)).contains("a forged delivery (wrong secret)").contains("401");
            // The page shows refused and duplicate deliveries, not only the console.
            String page = io.restassured.RestAssured.given().auth().preemptive().basic("user", password).get(app.uri("/")).then()
                    .statusCode(200).extract().asString();
            assertThat(page).contains("id=\"deliveries\"").contains("signature_mismatch").contains("duplicate");
            keptSecret = secret;
        }
        assertThat(dataDir.resolve(DemoSecrets.FILE)).exists();
        // A second run keeps the secrets configured in Mautic and Malcolm! after the first.
        try (PmsApp again = new PmsAppWithoutSecrets().start(dataDir)) {
            assertThat(again.context.getEnvironment().getProperty("hookguard.mautic.secrets")).isEqualTo(keptSecret);
        }
    }

    /** Starts in demo mode with no secrets given, as a newcomer would. */
    static final class PmsAppWithoutSecrets {
        PmsApp start(java.nio.file.Path dataDir) {
            return new PmsApp(PmsApp.builder().listeners(new DemoSecrets())
                    .run("--server.port=0", "--spring.datasource.url=jdbc:h2:mem:demo" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "--demo",
                            "--pms.data-dir=" + dataDir.toAbsolutePath()));
        }
    }
}
