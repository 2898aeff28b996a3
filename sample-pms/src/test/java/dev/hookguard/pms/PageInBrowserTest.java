package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The page in a real browser: Debian's headless Chromium driven by Selenium (see {@link Chromium}).
 */
class PageInBrowserTest {

    private static PmsApp app;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Chromium.assumeInstalled();
        app = PmsApp.start("jdbc:h2:mem:pms-browser;DB_CLOSE_DELAY=-1");
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

    @Test
    void pageListsTheIssuesNewestFirst() {
        MauticSender mautic = MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
        mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 501, 1));
        mautic.sendImmediate(SampleEvents.of("mautic.form_on_submit", 502, 1));
        browser.get(app.uri("/").toString());
        List<WebElement> rows = browser.findElements(By.cssSelector("#issues tr.issue"));
        assertThat(rows).hasSizeGreaterThanOrEqualTo(2);
        List<Issue> issues = app.repository().issues(0, 20).content();
        assertThat(rows.get(0).findElement(By.cssSelector(".title")).getText()).isEqualTo(issues.get(0).title());
        assertThat(rows.get(0).findElement(By.cssSelector(".reporter")).getText()).isEqualTo("contact+502@example.com");
        assertThat(browser.findElement(By.id("counts")).getText()).contains("mautic.form_on_submit");
    }

    @Test
    void scriptInAFormFieldShowsAsTextAndRunsNothing() {
        ObjectNode payload = SampleEvents.payload("mautic.form_on_submit", 600);
        ObjectNode submission = (ObjectNode) payload.get("submission");
        ((ObjectNode) submission.get("form")).put("name", "<script>window.pwned = true; document.title = 'pwned';</script>");
        ((ObjectNode) submission.get("results")).put("message", "<img src=x onerror=\"window.pwned = true\">");
        MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build()
                .sendImmediate(List.of(new OutgoingEvent("mautic.form_on_submit", payload, SampleEvents.queuedAt(600))));

        browser.get(app.uri("/").toString());
        assertThat(browser.findElement(By.cssSelector("#issues")).getText())
                .contains("<script>window.pwned = true; document.title = 'pwned';</script>")
                .contains("<img src=x onerror=\"window.pwned = true\">");
        assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat(browser.getTitle()).isEqualTo("Sample PMS · Hookguard");
        assertThat(browser.findElements(By.cssSelector("#issues script, #issues img"))).isEmpty();
    }
}
