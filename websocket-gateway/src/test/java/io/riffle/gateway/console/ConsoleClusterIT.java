package io.riffle.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.node.RunningNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console's cluster page and the shard map's owner column, in headless Chromium: once against a
 * standalone node, once against a real one-member cluster (Hazelcast on 127.0.0.1, Raft off). Leaves
 * cluster.png with the other screenshots (see {@link Browser#screenshot}).
 */
@Timeout(180)
class ConsoleClusterIT {
    @TempDir
    Path dataDir;
    RunningNode node;
    Browser browser;

    @AfterEach
    void stop() {
        Browser.closeChecked(browser, node);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + node.port() + path;
    }

    @Test
    void aOneMemberClusterShowsItsMemberThePlacementAndEachShardsOwner() throws IOException {
        browser = Browser.start();
        int clusterPort = freePort();
        node = RunningNode.start(dataDir, "--cluster", "true", "--cluster-name", "console-cluster-it",
                "--cluster-port", String.valueOf(clusterPort), "--cluster-members", "127.0.0.1:" + clusterPort,
                "--cluster-cp-members", "0", "--event-bus-host", "127.0.0.1");
        String nodeId = new JsonObject(Files.readString(dataDir.resolve("node.json"))).getString("nodeId");
        // The node answers before its catalog leader is elected: until then the control plane is unavailable (503).
        browser.until(d -> node.get("/v1/streams").statusCode() == 200);
        node.createStream("orders", 3);

        browser.open(url("/console/#/cluster"));
        browser.find("#cluster-summary[data-mode=clustered]");
        browser.waitForText("#cluster-summary", "console-cluster-it");
        browser.waitForText("#cluster-catalog", "catalog epoch");
        WebElement member = browser.find("#members tr[data-node='" + nodeId + "']");
        assertThat(member.getText()).contains("(this node)").contains("UP");
        assertThat(browser.text("#members [data-http]")).isEqualTo("127.0.0.1:" + node.port());
        browser.until(d -> "3".equals(d.findElement(By.cssSelector(
                "#placement tr[data-stream=orders] td[data-node='" + nodeId + "']")).getAttribute("data-count")));
        assertThat(browser.text("#placement tr[data-stream=orders]"))
                .contains("shardId-000000000000").contains("shardId-000000000001").contains("shardId-000000000002");
        browser.screenshot("cluster");

        browser.click("#placement tr[data-stream=orders] a");
        browser.waitForText("#stream-name", "orders");
        browser.until(d -> d.findElements(By.cssSelector("#shards td.owner[data-owner='" + nodeId + "']")).size() == 3);
        assertThat(browser.text("#shards thead")).containsIgnoringCase("owner node");
    }

    @Test
    void aStandaloneNodeSaysSoAndItsShardMapHasNoOwnerColumn() {
        browser = Browser.start();
        node = RunningNode.start(dataDir);
        node.createStream("solo", 2);

        browser.open(url("/console/"));
        browser.click("#nav-cluster");
        browser.find("#cluster-summary[data-mode=standalone]");
        assertThat(browser.text("#cluster-mode")).isEqualTo("standalone");
        List<WebElement> members = browser.all("#members tbody tr");
        assertThat(members).hasSize(1);
        assertThat(members.get(0).getText()).contains("(this node)").contains("UP");
        assertThat(browser.all("#placement")).isEmpty();

        browser.open(url("/console/#/streams/solo"));
        browser.until(d -> d.findElements(By.cssSelector("#shards tbody tr")).size() == 2);
        assertThat(browser.all("#shards td.owner")).isEmpty();
        assertThat(browser.text("#shards thead")).doesNotContainIgnoringCase("owner");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
