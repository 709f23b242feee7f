package io.riffle.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.riffle.security.SecurityFixtures;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/** The console of a node with {@code auth: sigv4}, given a token in the browser's local storage. */
@Timeout(180)
class ConsoleAuthIT {
    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    RunningNode node;
    Browser browser;

    @AfterEach
    void stop() {
        Browser.closeChecked(browser, node);
    }

    @Test
    void withATokenTheConsoleListsStreamsAndTailsOverTheWebSocket() {
        browser = Browser.start();
        node = RunningNode.start(dataDir, "--auth", "sigv4", "--credentials-file", SecurityFixtures.write(etc).toString(),
                "--region", SecurityFixtures.REGION, "--account-id", SecurityFixtures.ACCOUNT);
        String base = "http://127.0.0.1:" + node.port();
        assertThat(RunningNode.await(node.web.request(HttpMethod.POST, node.port(), "127.0.0.1", "/v1/streams")
                .putHeader("Authorization", "Bearer " + SecurityFixtures.ADMIN_TOKEN)
                .sendJsonObject(new JsonObject().put("name", "guarded").put("shardCount", 1))).statusCode()).isEqualTo(201);
        browser.open(base + "/health");
        browser.until(d -> {
            ((JavascriptExecutor) d).executeScript("localStorage.setItem('riffle.token', arguments[0])", SecurityFixtures.ADMIN_TOKEN);
            return true;
        });
        browser.open(base + "/console/");
        browser.find("#stream-rows tr[data-stream=guarded]");
        browser.open(base + "/console/#/streams/guarded");
        browser.waitForText("#stream-name", "guarded");
        browser.click("#tail-start");
        browser.until(d -> "connected".equals(d.findElement(By.id("tail-status")).getAttribute("data-status")));
    }
}
