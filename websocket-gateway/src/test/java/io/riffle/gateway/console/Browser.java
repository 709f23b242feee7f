package io.riffle.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.riffle.node.RunningNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driven through /usr/bin/chromedriver, with waits that re-find elements (the
 * console re-renders its tables as metrics arrive). Test helper.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    private final WebDriverWait wait;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
        this.wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(200));
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** Starts Chromium, or skips the test (an assumption) when chromium or chromedriver is not installed. */
    static Browser start() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Browser tests need Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver):"
                        + " apt-get install chromium chromium-driver (.ci/run installs them)");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options));
    }

    /**
     * Closes a console test's node and browser, failing the test on script errors in the console. Both are
     * null when the browser is missing and the test was skipped.
     */
    static void closeChecked(Browser browser, RunningNode node) {
        try (RunningNode n = node; Browser b = browser) {
            if (b != null) {
                assertThat(b.scriptErrors()).as("script errors in the console").isEmpty();
            }
        }
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return until(d -> d.findElement(By.cssSelector(css)));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    <T> T until(Function<WebDriver, T> condition) {
        return wait.until(condition);
    }

    void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    void select(String css, String visibleText) {
        new Select(find(css)).selectByVisibleText(visibleText);
    }

    void click(String css) {
        until(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    String text(String css) {
        return until(d -> d.findElement(By.cssSelector(css)).getText());
    }

    /** Waits until the element's text contains {@code part}. */
    void waitForText(String css, String part) {
        until(d -> d.findElement(By.cssSelector(css)).getText().contains(part));
    }

    /**
     * The page's script errors and CSP violations so far. Failed requests are left out: the console shows
     * the API's errors itself (a deregistration after the stream is gone is a 404, as it should be).
     */
    List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
    }

    /**
     * Saves what the window shows as {@code <name>.png}, the window sized to the whole page: in
     * {@code target/console-screenshots/}, or in {@code docs/console/} when run with
     * {@code -Dconsole.screenshots=docs} (so an ordinary test run leaves the committed pictures alone).
     */
    void screenshot(String name) {
        Number height = (Number) driver.executeScript(
                "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight");
        driver.manage().window().setSize(new Dimension(1280, Math.max(800, height.intValue())));
        driver.executeScript("window.scrollTo(0, 0)");
        File shot = driver.getScreenshotAs(OutputType.FILE);
        try {
            Path dir = "docs".equals(System.getProperty("console.screenshots"))
                    ? repositoryRoot().resolve("docs/console")
                    : Path.of("target", "console-screenshots").toAbsolutePath();
            Files.createDirectories(dir);
            Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        driver.manage().window().setSize(new Dimension(1280, 1000));
    }

    /** Maven runs the tests in the module's folder; the screenshots belong to the repository's docs. */
    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return here.endsWith("websocket-gateway") ? here.getParent() : here;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
