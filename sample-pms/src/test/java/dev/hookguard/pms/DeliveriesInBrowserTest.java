package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.inbox.JdbcInbox.State;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Deliveries page in real Chromium, in inbox mode on an H2 file: a delivery that failed (the issue table was
 * away) shows dead with its attempts and last error; once the table is back, Replay and its confirmation make it done.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class DeliveriesInBrowserTest {

    @TempDir
    static Path dir;
    private static PmsApp app;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        app = PmsApp.startInInboxMode(dir);
        browser = Chromium.start();
        Chromium.logIn(browser, app);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
    }

    private static String sendForm(int seq) {
        assertThat(MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", seq, 1)).attempts().get(0).status()).isEqualTo(202);
        return "mautic:form_on_submit:" + (20_000 + seq);
    }

    private static WebElement row(String key) {
        return browser.findElement(By.cssSelector("#inbox tr.delivery[data-key='" + key + "']"));
    }

    private static String cell(String key, String column) {
        return row(key).findElement(By.cssSelector("td." + column)).getText();
    }

    @Test
    void aDeadDeliveryShowsItsErrorAndIsDoneAfterReplayAndConfirmation() throws Exception {
        String handled = sendForm(801);
        app.awaitInbox(handled, State.DONE);
        String failed;
        try (IssueTableOutage outage = new IssueTableOutage(app)) {
            failed = sendForm(802);
            app.awaitInbox(failed, State.DEAD);
        }
        // The cause is fixed (the table is back); the delivery stays dead until someone replays it.

        browser.get(app.uri("/").toString());
        browser.findElement(By.id("inbox-deliveries")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/deliveries$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Deliveries");
        assertThat(browser.findElements(By.cssSelector("#inbox tr.delivery")).get(0).getAttribute("data-key"))
                .as("newest first").isEqualTo(failed);
        assertThat(cell(failed, "state")).isEqualTo("DEAD");
        assertThat(cell(failed, "attempts")).isEqualTo("1");
        assertThat(cell(failed, "next")).isEqualTo("—");
        assertThat(cell(failed, "error")).startsWith("org.springframework.jdbc.BadSqlGrammarException").contains("bad SQL grammar");
        assertThat(cell(handled, "state")).isEqualTo("DONE");
        assertThat(cell(handled, "error")).isEmpty();

        browser.findElement(By.id("state-DEAD")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("state=DEAD"));
        assertThat(browser.findElements(By.cssSelector("#inbox tr.delivery"))).extracting(r -> r.getAttribute("data-key"))
                .containsExactly(failed);
        row(failed).findElement(By.cssSelector("button.replay")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries/replay?key="));

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Replay " + failed + "?");
        assertThat(browser.findElement(By.cssSelector("#delivery .state")).getText()).isEqualTo("DEAD");
        assertThat(app.inbox().show(failed).orElseThrow().state()).as("the confirmation page changes nothing").isEqualTo(State.DEAD);
        browser.findElement(By.id("confirm-replay")).click();

        // A form's POST and its redirect may still be under way when click() returns.
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/deliveries$"));
        assertThat(browser.findElement(By.id("flash")).getText()).startsWith("Replayed " + failed + ":");
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cell(failed, "state").equals("DONE") && System.nanoTime() < until) {
            Thread.sleep(200);
            browser.navigate().refresh();
        }
        assertThat(cell(failed, "state")).isEqualTo("DONE");
        assertThat(cell(failed, "attempts")).as("counted from zero by the replay").isEqualTo("1");
        assertThat(cell(failed, "error")).isEmpty();
        assertThat(row(failed).findElements(By.cssSelector("button.replay"))).as("a done row can be replayed too").hasSize(1);
        assertThat(app.repository().issues()).extracting(Issue::externalKey).containsOnlyOnce(failed, handled);
    }
}
