package io.riffle.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The web console in a real browser (headless Chromium) against a node on port 0: everything it shows and
 * does goes through the public API. Leaves screenshots of each page in target/console-screenshots/ (docs/console/ with -Dconsole.screenshots=docs).
 */
@Timeout(180)
class ConsoleIT {
    @TempDir
    Path dataDir;
    RunningNode node;
    Browser browser;

    @BeforeEach
    void start() {
        browser = Browser.start();
        node = RunningNode.start(dataDir);
    }

    @AfterEach
    void stop() {
        Browser.closeChecked(browser, node);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + node.port() + path;
    }

    @Test
    void aStreamCreatedInTheConsoleShowsItsRecordsLiveAndIsDeletedAfterConfirmation() {
        browser.open(url("/"));
        browser.waitForText("#stream-rows", "No streams yet");
        browser.type("#create-stream [name=name]", "clicks");
        browser.type("#create-stream [name=shardCount]", "2");
        browser.click("#create-stream button[type=submit]");

        browser.waitForText("#stream-name", "clicks");
        browser.until(d -> d.findElements(By.cssSelector("#shards tbody tr")).size() == 2);
        assertThat(browser.all("svg.shardbar rect")).hasSize(2);

        browser.click("#tail-start");
        browser.until(d -> "connected".equals(d.findElement(By.id("tail-status")).getAttribute("data-status")));
        String consumer = onlyConsumer();
        assertThat(consumer).startsWith("console-");

        putThroughTheForm("form-key", "text", "hello from the form");
        putThroughTheForm("form-key", "JSON", "{\"item\": \"book\", \"qty\": 2}");
        putThroughTheApi(new JsonObject().put("partitionKey", "api-key").put("data", "AAEC/w=="));

        waitForTailCount(3);
        assertThat(tailRow("text").getText()).contains("hello from the form").contains("form-key");
        assertThat(tailRow("json").getText()).contains("{\"item\":\"book\",\"qty\":2}");
        assertThat(tailRow("hex").getText()).contains("00 01 02 ff").contains("api-key");

        browser.until(d -> chartsMax("data-in-max") > 0 && chartsMax("data-out-max") > 0);
        browser.until(d -> !d.findElements(By.cssSelector("#consumer-rows [data-consumer='" + consumer + "'] [data-lag='0']")).isEmpty());
        browser.screenshot("stream");

        browser.click("#tail-pause");
        putThroughTheApi(new JsonObject().put("partitionKey", "held").put("text", "while paused"));
        browser.waitForText("#tail-status", "1 held");
        assertThat(browser.find("#tail-count").getAttribute("data-count")).isEqualTo("3");
        browser.click("#tail-pause");
        waitForTailCount(4);

        browser.click("a[href='#/']");
        browser.find("#stream-rows tr[data-stream=clicks]");
        browser.until(d -> consumers("clicks").isEmpty());
        browser.until(d -> {
            putThroughTheApi(new JsonObject().put("partitionKey", "busy").put("text", "x"));
            String rate = d.findElement(By.cssSelector("tr[data-stream=clicks] [data-rate=records]")).getText();
            return !rate.startsWith("0.0") && !rate.startsWith("–");
        });
        browser.screenshot("streams");

        browser.click("tr[data-stream=clicks] [data-action=delete]");
        browser.find("#confirm[open]");
        assertThat(browser.find("#confirm-ok").isEnabled()).isFalse();
        browser.type("#confirm-input", "clicks");
        browser.screenshot("delete");
        browser.click("#confirm-ok");
        browser.waitForText("#stream-rows", "No streams yet");
        assertThat(node.get("/v1/streams/clicks").statusCode()).isEqualTo(404);
    }

    @Test
    void theTailStartsFromTrimHorizonOrATimestampAndClosingThePageDeregistersItsConsumer() {
        node.createStream("history", 1);
        putThroughTheApi("history", new JsonObject().put("partitionKey", "k").put("text", "old record"));
        browser.open(url("/console/#/streams/history"));
        browser.select("#tail-from", "TRIM_HORIZON");
        browser.click("#tail-start");
        waitForTailCount(1);
        assertThat(tailRow("text").getText()).contains("old record");
        browser.click("#tail-start");
        browser.until(d -> consumers("history").isEmpty());

        browser.click("#tail-clear");
        browser.select("#tail-from", "AT_TIMESTAMP");
        // A datetime-local field's typing order depends on the locale; its value format does not.
        browser.driver.executeScript("document.getElementById('tail-timestamp').value = '2001-01-01T00:00:00'");
        browser.click("#tail-start");
        waitForTailCount(1);
        assertThat(tailRow("text").getText()).contains("old record");
        assertThat(consumers("history")).hasSize(1);

        browser.open("about:blank");
        browser.until(d -> consumers("history").isEmpty());
    }

    @Test
    void theStreamPageDeletesItsStreamAfterConfirmationWhileTheTailRuns() {
        node.createStream("doomed", 1);
        browser.open(url("/console/#/streams/doomed"));
        browser.click("#tail-start");
        browser.until(d -> "connected".equals(d.findElement(By.id("tail-status")).getAttribute("data-status")));

        browser.click("#delete-stream");
        browser.waitForText("#confirm-text", "cannot be recovered");
        assertThat(browser.text("#confirm-text")).doesNotContain("consumer");
        browser.type("#confirm-input", "doome");
        assertThat(browser.find("#confirm-ok").isEnabled()).isFalse();
        browser.type("#confirm-input", "doomed");
        browser.click("#confirm-ok");

        browser.waitForText("#stream-rows", "No streams yet");
        assertThat(node.get("/v1/streams/doomed").statusCode()).isEqualTo(404);
    }

    private void putThroughTheForm(String key, String as, String data) {
        browser.type("#put-key", key);
        browser.select("#put-as", as);
        browser.type("#put-data", data);
        String before = browser.text("#put-result");
        browser.click("#put-record button[type=submit]");
        browser.until(d -> {
            String now = d.findElement(By.id("put-result")).getText();
            return now.startsWith("Stored in") && !now.equals(before);
        });
    }

    private void putThroughTheApi(JsonObject record) {
        putThroughTheApi("clicks", record);
    }

    private void putThroughTheApi(String stream, JsonObject record) {
        JsonObject answer = node.postJson("/v1/streams/" + stream + "/records",
                new JsonObject().put("records", new JsonArray().add(record))).bodyAsJsonObject();
        assertThat(answer.getInteger("failedRecordCount")).as(answer.encode()).isZero();
    }

    private String onlyConsumer() {
        JsonArray consumers = consumers("clicks");
        assertThat(consumers).hasSize(1);
        return consumers.getJsonObject(0).getString("name");
    }

    private JsonArray consumers(String stream) {
        return node.get("/v1/streams/" + stream + "/consumers").bodyAsJsonObject().getJsonArray("consumers");
    }

    private void waitForTailCount(int n) {
        browser.until(d -> Integer.parseInt(d.findElement(By.id("tail-count")).getAttribute("data-count")) >= n);
    }

    private WebElement tailRow(String kind) {
        return browser.find("#tail-rows tr[data-kind=" + kind + "]");
    }

    private double chartsMax(String attribute) {
        List<WebElement> charts = browser.all("#charts .chart");
        return charts.stream().map(c -> c.getAttribute(attribute)).filter(v -> v != null)
                .mapToDouble(Double::parseDouble).max().orElse(0);
    }
}
