package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium, for the browser tests. Outside CI a developer without Chromium
 * gets a skip with the fix; in CI ({@code .ci/run} installs it) a missing browser fails.
 */
final class Chromium {

    private Chromium() {
    }

    static void assumeInstalled() {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
        if (!installed && System.getenv("CI") == null) {
            org.junit.jupiter.api.Assumptions.abort("Debian's chromium and chromium-driver are not installed: apt-get install -y chromium chromium-driver");
        }
    }

    static ChromeDriver start() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("pms-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /** The page needs a login: the browser is sent to the form, and back to the page once logged in. */
    static void logIn(ChromeDriver browser, PmsApp app) {
        browser.get(app.uri("/").toString());
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        browser.findElement(By.id("username")).sendKeys(PmsApp.USER);
        browser.findElement(By.id("password")).sendKeys(PmsApp.PASSWORD);
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        // The form's POST and its redirect may still be under way when click() returns, and the form has an h1 too.
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.not(ExpectedConditions.urlContains("/login")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Issues");
    }
}
