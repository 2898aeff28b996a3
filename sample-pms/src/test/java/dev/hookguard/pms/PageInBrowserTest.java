package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.MalcolmSender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The pages in a real browser, in direct mode: Debian's headless Chromium driven by Selenium (see {@link Chromium}).
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

    @Test
    void everyPageHasTheNavigationBarAndItsDeliveriesSaysTheInboxIsOffInDirectMode() {
        // The issues, the deliveries (inbox off), a missing delivery's page, a row page, and Boot's error page.
        for (String path : List.of("/", "/deliveries", "/deliveries/replay?key=none", "/deliveries/details?key=none", "/nowhere")) {
            browser.get(app.uri(path).toString());
            WebElement nav = browser.findElement(By.id("site-nav"));
            assertThat(nav.findElement(By.id("nav-issues")).getDomAttribute("href")).as(path).isEqualTo("/");
            assertThat(nav.findElement(By.id("nav-issues")).getText()).as(path).isEqualTo("Issues");
            assertThat(nav.findElement(By.id("nav-deliveries")).getDomAttribute("href")).as(path).isEqualTo("/deliveries");
            assertThat(nav.findElement(By.id("nav-sign-out")).getText()).as(path).isEqualTo("Sign out");
            assertThat(nav.findElement(By.id("nav-sign-out")).isDisplayed()).as(path).isTrue();
        }
        browser.get(app.uri("/").toString());
        assertThat(browser.findElement(By.id("signed-in-as")).getText()).isEqualTo(PmsApp.USER);
        browser.findElement(By.id("nav-deliveries")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/deliveries$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Deliveries");
        assertThat(browser.findElement(By.id("inbox-off")).getText()).startsWith("The inbox is off");
        assertThat(browser.findElement(By.id("nav-deliveries")).getDomAttribute("aria-current")).isEqualTo("page");
        browser.findElement(By.id("nav-issues")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlMatches("/$"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Issues");
    }

    @Test
    void signOutEndsTheSessionOnAStyledSignInPageThatNamesThePasswordSetting() throws Exception {
        ChromeDriver other = Chromium.start();
        try {
            Chromium.logIn(other, app);
            other.findElement(By.id("nav-sign-out")).click();
            new WebDriverWait(other, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("/login?logout"));
            assertThat(other.findElement(By.id("signed-out")).getText()).isEqualTo("You are signed out.");
            // Signed out, the stylesheet still loads: the sign-in page is styled (pms.css sets its width).
            assertThat(other.findElement(By.cssSelector("main.sign-in")).getCssValue("max-width")).isEqualTo("480px");
            // Not the demo: the password is the one configured, and the page names the setting, not a file.
            assertThat(other.findElement(By.id("password-hint")).getText()).contains("spring.security.user.password")
                    .contains("SPRING_SECURITY_USER_PASSWORD").doesNotContain("demo-secrets").doesNotContain(PmsApp.PASSWORD);
            assertThat(other.findElements(By.id("demo-secrets-file"))).isEmpty();
            other.get(app.uri("/").toString());
            assertThat(other.getCurrentUrl()).as("the session is over").endsWith("/login");
            // Signing in again lands on the page asked for, not on the stylesheet the sign-in page loaded.
            Chromium.logIn(other, app);
        } finally {
            other.quit();
        }
    }

    /** Whether the document loaded when {@link #markTheDocument} ran is still the one shown: a reload replaces it. */
    private static boolean stillTheMarkedDocument() {
        return Boolean.TRUE.equals(browser.executeScript("return window.markedByTheTest === true"));
    }

    private static void markTheDocument() {
        browser.executeScript("window.markedByTheTest = true");
    }

    private static List<WebElement> refreshMeta() {
        return browser.findElements(By.cssSelector("meta[http-equiv=refresh]"));
    }

    @Test
    void pausingTheIssuesPageStopsItsReloadUntilResumed() throws Exception {
        browser.get(app.uri("/?size=5").toString());
        assertThat(refreshMeta()).singleElement().satisfies(meta -> assertThat(meta.getDomAttribute("content")).isEqualTo("5"));
        // The check below sees a reload: unpaused, the marked document is replaced within the 5 seconds.
        markTheDocument();
        long until = System.nanoTime() + Duration.ofSeconds(9).toNanos();
        while (stillTheMarkedDocument() && System.nanoTime() < until) {
            Thread.sleep(200);
        }
        assertThat(stillTheMarkedDocument()).as("unpaused, the page reloads itself").isFalse();

        browser.findElement(By.id("pause")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("pause=1"));
        assertThat(browser.getCurrentUrl()).contains("size=5");
        assertThat(refreshMeta()).isEmpty();
        assertThat(browser.findElement(By.id("paused")).getText()).startsWith("Paused");
        markTheDocument();
        Thread.sleep(7_000);
        assertThat(stillTheMarkedDocument()).as("paused, the page stays as it is past the 5 seconds").isTrue();

        browser.findElement(By.id("reload")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !stillTheMarkedDocument());
        assertThat(browser.getCurrentUrl()).as("reloading by hand keeps it paused").contains("pause=1");
        assertThat(refreshMeta()).isEmpty();

        browser.findElement(By.id("resume")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.not(ExpectedConditions.urlContains("pause=1")));
        assertThat(refreshMeta()).hasSize(1);
        assertThat(browser.findElement(By.id("pause")).isDisplayed()).isTrue();
    }

    /** The chart's bars, summed by outcome over the hour. */
    private static Map<String, Long> chartedByOutcome() {
        return browser.findElements(By.cssSelector("#delivery-chart rect.bar")).stream().collect(Collectors.groupingBy(
                bar -> bar.getDomAttribute("data-outcome"), Collectors.summingLong(bar -> Long.parseLong(bar.getDomAttribute("data-count")))));
    }

    private static long legend(String outcome) {
        return Long.parseLong(browser.findElement(By.cssSelector("#chart-legend li." + outcome + " .count")).getText());
    }

    @Test
    void theChartCountsTheLastHoursDeliveriesByOutcomeInColoursFromTheStylesheet() {
        browser.get(app.uri("/?pause=1").toString());
        Map<String, Long> before = chartedByOutcome();
        MauticSender mautic = MauticSender.builder(app.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
        List<OutgoingEvent> form = SampleEvents.of("mautic.form_on_submit", 700, 1);
        assertThat(mautic.sendImmediate(form).attempts().get(0).status()).isEqualTo(200);
        assertThat(mautic.sendImmediate(form).attempts().get(0).status()).as("the same again: a duplicate").isEqualTo(200);
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), "forged").build().send(SampleEvents.malcolmSession(700, false))
                .status()).isEqualTo(401);

        browser.get(app.uri("/?pause=1").toString());
        Map<String, Long> after = chartedByOutcome();
        assertThat(after.getOrDefault("accepted", 0L) - before.getOrDefault("accepted", 0L)).isEqualTo(1);
        assertThat(after.getOrDefault("duplicate", 0L) - before.getOrDefault("duplicate", 0L)).isEqualTo(1);
        assertThat(after.getOrDefault("refused", 0L) - before.getOrDefault("refused", 0L)).isEqualTo(1);
        assertThat(after.getOrDefault("failed", 0L)).isEqualTo(before.getOrDefault("failed", 0L));
        for (String outcome : List.of("accepted", "duplicate", "refused", "failed")) {
            assertThat(legend(outcome)).as("the legend's " + outcome).isEqualTo(after.getOrDefault(outcome, 0L));
        }
        // Twelve 5-minute slices, labelled by time, each with a tooltip that counts its deliveries.
        List<WebElement> slices = browser.findElements(By.cssSelector("#delivery-chart g.bucket"));
        assertThat(slices).hasSize(12);
        assertThat(slices).allSatisfy(slice -> assertThat(slice.findElement(By.cssSelector("text.time")).getText()).matches("\\d\\d:\\d[05]"));
        List<String> tooltips = slices.stream().map(slice -> slice.findElement(By.tagName("title")).getDomProperty("textContent")).toList();
        assertThat(tooltips).allSatisfy(tooltip -> assertThat(tooltip).matches("\\d\\d:\\d[05]–\\d\\d:\\d[05]: .+"));
        assertThat(tooltips.subList(10, 12)).as("the last ten minutes").anySatisfy(tooltip -> assertThat(tooltip).contains(" refused"));
        // Drawn, and coloured by pms.css (the CSP allows no inline style): each outcome has its own fill.
        WebElement accepted = browser.findElement(By.cssSelector("#delivery-chart rect.bar.accepted"));
        WebElement refused = browser.findElement(By.cssSelector("#delivery-chart rect.bar.refused"));
        assertThat(accepted.getRect().getHeight()).isPositive();
        assertThat(refused.getRect().getHeight()).isPositive();
        assertThat(accepted.getCssValue("fill")).isEqualTo("rgb(74, 154, 90)");
        assertThat(refused.getCssValue("fill")).isEqualTo("rgb(224, 160, 48)");
    }
}
