package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.inbox.JdbcInbox.State;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Each row shows its event type and a key short enough for the table, whole on the row's own page, where a done
 * row is replayed (the list offers Replay on dead rows only); after a replay the list highlights the row.
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

    /** The keys of the highlighted rows. */
    private static List<String> highlighted() {
        return browser.findElements(By.cssSelector("#inbox tr.delivery.replayed")).stream().map(r -> r.getDomAttribute("data-key")).toList();
    }

    private static String sendMalcolmSession(ObjectNode session) {
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), PmsApp.MALCOLM_SECRET).instanceId("pmstest001").build()
                .send(session).status()).isEqualTo(202);
        return "malcolm:" + session.get("id").asText();
    }

    private static void openDeliveries() {
        browser.get(app.uri("/deliveries").toString());
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Deliveries");
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
        browser.findElement(By.id("nav-deliveries")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/deliveries$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Deliveries");
        assertThat(browser.findElements(By.cssSelector("#inbox tr.delivery")).get(0).getAttribute("data-key"))
                .as("newest first").isEqualTo(failed);
        assertThat(cell(failed, "state")).isEqualTo("DEAD");
        assertThat(cell(failed, "type")).isEqualTo("mautic.form_on_submit");
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
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries?replayed="));
        assertThat(browser.findElement(By.id("flash")).getText()).startsWith("Replayed " + failed + ":");
        assertThat(highlighted()).as("the replayed row stands out").containsExactly(failed);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cell(failed, "state").equals("DONE") && System.nanoTime() < until) {
            Thread.sleep(200);
            browser.navigate().refresh();
        }
        assertThat(cell(failed, "state")).isEqualTo("DONE");
        assertThat(cell(failed, "attempts")).as("counted from zero by the replay").isEqualTo("1");
        assertThat(cell(failed, "error")).isEmpty();
        assertThat(highlighted()).as("still, once reloaded").containsExactly(failed);
        assertThat(row(failed).findElements(By.cssSelector("button.replay"))).as("a done row's Replay is on its own page").isEmpty();
        assertThat(app.repository().issues()).extracting(Issue::externalKey).containsOnlyOnce(failed, handled);
    }

    @Test
    void eachRowShowsItsEventType() throws Exception {
        String form = sendForm(811);
        String session = sendMalcolmSession(SampleEvents.malcolmSession(811, true));
        app.awaitInbox(form, State.DONE);
        app.awaitInbox(session, State.DONE);
        openDeliveries();
        assertThat(browser.findElements(By.cssSelector("#inbox thead th")).get(1).getText()).isEqualTo("Event type");
        assertThat(cell(form, "type")).isEqualTo("mautic.form_on_submit");
        assertThat(cell(session, "type")).isEqualTo("workflow_session");
    }

    @Test
    void aLongKeyIsShortenedInTheListAndWholeOnTheRowsOwnPage() throws Exception {
        ObjectNode session = SampleEvents.malcolmSession(812, true);
        session.put("id", "ws-" + "0123456789abcdef".repeat(4) + "-end-812");
        String key = sendMalcolmSession(session);
        String shortKey = "malcolm:ws-0123456…bcdef-end-812";
        assertThat(key).hasSizeGreaterThan(70);
        app.awaitInbox(key, State.DONE);
        openDeliveries();

        WebElement link = row(key).findElement(By.cssSelector("td.key a"));
        assertThat(link.getText()).as("its start and its end, around a …").isEqualTo(shortKey);
        assertThat(link.getDomAttribute("title")).as("whole on hover").isEqualTo(key);
        link.click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries/details?key="));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Delivery");
        assertThat(browser.findElement(By.cssSelector("#delivery td.key")).getText()).isEqualTo(key);
        assertThat(browser.findElement(By.cssSelector("#delivery td.type")).getText()).isEqualTo("workflow_session");
        assertThat(browser.findElement(By.cssSelector("#delivery td.state")).getText()).isEqualTo("DONE");
        assertThat(browser.findElement(By.cssSelector("#delivery td.done")).getText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
    }

    @Test
    void aDoneRowIsReplayedFromItsOwnPageNotFromTheListAndTheListThenHighlightsIt() throws Exception {
        String done = sendForm(821);
        app.awaitInbox(done, State.DONE);
        String other = sendForm(822);
        app.awaitInbox(other, State.DONE);
        openDeliveries();
        assertThat(cell(done, "state")).isEqualTo("DONE");
        assertThat(row(done).findElements(By.cssSelector("button.replay"))).as("no Replay on a done row in the list").isEmpty();
        assertThat(highlighted()).as("nothing replayed yet").isEmpty();

        row(done).findElement(By.cssSelector("td.key a")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries/details?key="));
        browser.findElement(By.id("replay")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries/replay?key="));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Replay " + done + "?");
        browser.findElement(By.id("confirm-replay")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/deliveries?replayed="));

        assertThat(highlighted()).containsExactly(done);
        WebElement highlightedCell = row(done).findElement(By.cssSelector("td.type"));
        WebElement plainCell = row(other).findElement(By.cssSelector("td.type"));
        assertThat(highlightedCell.getCssValue("background-color")).as("coloured by pms.css")
                .isEqualTo("rgba(255, 243, 196, 1)").isNotEqualTo(plainCell.getCssValue("background-color"));
        app.awaitInbox(done, State.DONE);
        assertThat(app.repository().issues()).extracting(Issue::externalKey).as("replaying a done delivery makes no second issue")
                .containsOnlyOnce(done);
    }
}
