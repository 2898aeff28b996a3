package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.inbox.InboxEntry;
import dev.hookguard.inbox.JdbcInbox.State;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code --demo --hookguard.inbox.enabled=true} as a newcomer starts it (no secret, no password given), in real
 * Chromium: the sign-in page says where the generated password is, and the demo leaves one dead delivery for the
 * Deliveries page's Dead tab.
 *
 * <p>With {@code -Dhookguard.screenshots=docs} it also writes the README's screenshots of the pages into that
 * folder (relative to the repository's root): {@code mvn -o -pl sample-pms test -Dtest=DemoInBrowserTest -Dhookguard.screenshots=docs}.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class DemoInBrowserTest {

    @TempDir
    static Path dir;
    private static PmsApp app;

    @BeforeAll
    static void start() {
        Chromium.assumeInstalled();
        // As SamplePmsApplication.main starts it; the demo plays before run() returns.
        app = new PmsApp(PmsApp.builder().listeners(new DemoSecrets(), new DemoInboxPace()).run("--server.port=0",
                "--spring.datasource.url=jdbc:h2:retry:" + dir.resolve("pms") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE",
                "--pms.data-dir=" + dir, "--demo", "--hookguard.inbox.enabled=true"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    /** The demo's marked submission, once its attempts are used up (a few seconds at the demo's pace). */
    private static InboxEntry awaitTheDeadDelivery() throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (app.inbox().counts().dead() == 0 && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        List<InboxEntry> dead = app.inbox().list(State.DEAD, 10);
        assertThat(dead).as("the demo leaves one dead delivery").hasSize(1);
        return dead.get(0);
    }

    private static String demoPassword(Path file) throws IOException {
        Properties kept = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            kept.load(in);
        }
        return kept.getProperty(DemoSecrets.PASSWORD);
    }

    /** A browser signed in the way the sign-in page says: as its user, with the password from the file it names. */
    private static ChromeDriver signedIn() throws IOException {
        ChromeDriver browser = Chromium.start();
        browser.get(app.uri("/").toString());
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        Path file = Path.of(browser.findElement(By.id("demo-secrets-file")).getText());
        browser.findElement(By.id("username")).sendKeys(browser.findElement(By.id("demo-user")).getText());
        browser.findElement(By.id("password")).sendKeys(demoPassword(file));
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Issues");
        return browser;
    }

    @Test
    void theSignInPageSaysWhereTheDemoKeepsThePasswordAndThatPasswordSignsIn() throws Exception {
        ChromeDriver browser = Chromium.start();
        try {
            browser.get(app.uri("/").toString());
            assertThat(browser.getCurrentUrl()).endsWith("/login");
            String hint = browser.findElement(By.id("password-hint")).getText();
            Path file = dir.resolve(DemoSecrets.FILE).toAbsolutePath();
            assertThat(browser.findElement(By.id("demo-secrets-file")).getText()).isEqualTo(file.toString());
            assertThat(browser.findElement(By.id("demo-user")).getText()).isEqualTo("user");
            assertThat(hint).startsWith("Demo mode.").contains("spring.security.user.password=…")
                    .contains("printed it in its console").doesNotContain(demoPassword(file));
        } finally {
            browser.quit();
        }
        // Following it signs in.
        signedIn().quit();
    }

    @Test
    void theDemoLeavesOneDeadDeliveryOnTheDeadTabWithReplayAllDead() throws Exception {
        InboxEntry dead = awaitTheDeadDelivery();
        assertThat(dead.attempts()).as("every attempt failed").isEqualTo(DemoInboxPace.MAX_ATTEMPTS);
        ChromeDriver browser = signedIn();
        try {
            browser.findElement(By.id("nav-deliveries")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/deliveries$"));
            assertThat(browser.findElement(By.id("state-DEAD")).getText()).isEqualTo("Dead (1)");
            browser.findElement(By.id("state-DEAD")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("state=DEAD"));
            List<WebElement> rows = browser.findElements(By.cssSelector("#inbox tr.delivery"));
            assertThat(rows).singleElement().satisfies(row -> {
                assertThat(row.getDomAttribute("data-key")).isEqualTo(dead.key());
                assertThat(row.findElement(By.cssSelector("td.type")).getText()).isEqualTo("mautic.form_on_submit");
                assertThat(row.findElement(By.cssSelector("td.state")).getText()).isEqualTo("DEAD");
                assertThat(row.findElement(By.cssSelector("td.attempts")).getText()).isEqualTo(Integer.toString(DemoInboxPace.MAX_ATTEMPTS));
                assertThat(row.findElement(By.cssSelector("td.error")).getText()).startsWith(DemoFailure.class.getName() + ": the demo marked")
                        .contains("fail-me");
                assertThat(row.findElements(By.cssSelector("button.replay"))).hasSize(1);
            });
            assertThat(browser.findElement(By.id("replay-dead")).getText()).isEqualTo("Replay all dead…");
            // The rest of the scenario was handled.
            assertThat(app.inbox().counts().pending() + app.inbox().counts().running()).isZero();
            assertThat(app.inbox().counts().done()).isPositive();
        } finally {
            browser.quit();
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "hookguard.screenshots", matches = ".+")
    void screenshotsForTheReadme() throws Exception {
        Path docs = Path.of(System.getProperty("hookguard.screenshots"));
        // Maven runs the tests in sample-pms/; a relative folder is meant from the repository's root.
        Path into = docs.isAbsolute() ? docs : Path.of("").toAbsolutePath().getParent().resolve(docs);
        Files.createDirectories(into);
        InboxEntry dead = awaitTheDeadDelivery();

        ChromeDriver anonymous = Chromium.start();
        try {
            anonymous.get(app.uri("/login").toString());
            screenshot(anonymous, into.resolve("pms-sign-in.png"));
        } finally {
            anonymous.quit();
        }
        ChromeDriver browser = signedIn();
        try {
            browser.get(app.uri("/").toString());
            screenshot(browser, into.resolve("pms-issues.png"));
            browser.get(app.uri("/deliveries").toString());
            screenshot(browser, into.resolve("pms-deliveries.png"));
            browser.get(app.uri("/deliveries?state=DEAD").toString());
            screenshot(browser, into.resolve("pms-deliveries-dead.png"));
            browser.findElement(By.cssSelector("#inbox tr.delivery[data-key='" + dead.key() + "'] td.key a")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries/details?key="));
            screenshot(browser, into.resolve("pms-delivery.png"));
        } finally {
            browser.quit();
        }
    }

    /** The whole page, 1280 pixels wide, through the DevTools protocol (a window screenshot stops at the window). */
    private static void screenshot(ChromeDriver browser, Path file) throws IOException {
        browser.manage().window().setSize(new Dimension(1280, 900));
        // The content's height (the body and its 2rem bottom margin): the viewport's would add blank space below.
        long height = ((Number) browser.executeScript(
                "return Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY + 32)")).longValue();
        Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", 1280, "height", height, "scale", 1)));
        Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    }
}
