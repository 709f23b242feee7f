package io.riffle.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the node's data directory is on a small tmpfs this test mounts (it needs root; it is
 * skipped where mounting is not permitted), filled up by a file the test then deletes again.
 */
@Timeout(120)
class DiskFullIT {
    private static final String PUT = "/v1/streams/full/records?partitionKey=k";
    /** Larger than a page, so a put needs fresh space and cannot fit in the last page of the segment. */
    private static final String BIG = "x".repeat(16 << 10);

    @TempDir
    Path tmp;

    @Test
    void aFullDiskFailsPutsWithoutPathsDegradesHealthAndRecoversWhenSpaceReturns() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk.toString()) == 0,
                "mounting a tmpfs is not permitted here");
        try (RunningNode node = RunningNode.start(disk.resolve("data"))) {
            node.createStream("full", 1);
            assertThat(node.postRaw(PUT, "application/octet-stream", Buffer.buffer("before")).statusCode()).isEqualTo(200);
            Path filler = disk.resolve("filler");
            fill(filler);

            HttpResponse<Buffer> failed = node.postRaw(PUT, "application/octet-stream", Buffer.buffer(BIG));
            assertThat(failed.statusCode()).as(failed.bodyAsString()).isEqualTo(500);
            JsonObject error = failed.bodyAsJsonObject().getJsonObject("error");
            assertThat(error.getString("code")).isEqualTo("InternalFailure");
            assertNamesTheShardButNoFileOrException(error.getString("message"));
            assertThat(error.getString("message")).contains("nothing of this request was written");
            JsonObject batch = node.postJson("/v1/streams/full/records", new JsonObject().put("records", new JsonArray()
                    .add(new JsonObject().put("partitionKey", "k").put("text", BIG)))).bodyAsJsonObject();
            assertThat(batch.getInteger("failedRecordCount")).isEqualTo(1);
            assertNamesTheShardButNoFileOrException(batch.getJsonArray("records").getJsonObject(0).getString("errorMessage"));

            HttpResponse<Buffer> degraded = awaitHealth(node, 503);
            assertThat(degraded.bodyAsJsonObject().getString("status")).isEqualTo("DEGRADED");
            assertThat(degraded.bodyAsJsonObject().getString("reason"))
                    .isEqualTo("writes to 1 shard are failing: shardId-000000000000 of stream full (No space left on device)");
            assertThat(node.get("/health/live").statusCode()).isEqualTo(200);
            assertThat(node.get("/metrics").bodyAsString()).containsPattern("(?m)^riffle_shards_failing_writes 1\\.0$");

            // Nothing is put any more: the shard's probe notices the space by itself.
            Files.delete(filler);
            assertThat(awaitHealth(node, 200).bodyAsJsonObject().getString("status")).isEqualTo("UP");
            assertThat(node.get("/metrics").bodyAsString()).containsPattern("(?m)^riffle_shards_failing_writes 0\\.0$");
            assertThat(node.postRaw(PUT, "application/octet-stream", Buffer.buffer("after")).statusCode()).isEqualTo(200);
            JsonArray records = node.get("/v1/streams/full/shards/shardId-000000000000/records").bodyAsJsonObject()
                    .getJsonArray("records");
            assertThat(records.stream().map(r -> new String(Base64.getDecoder().decode(((JsonObject) r).getString("data")),
                    StandardCharsets.UTF_8)).toList()).containsExactly("before", "after");
        } finally {
            run("umount", "-l", disk.toString());
        }
    }

    private static void assertNamesTheShardButNoFileOrException(String message) {
        assertThat(message).contains("shardId-000000000000 of stream full")
                .doesNotContain("/").doesNotContain("Exception").doesNotContain("java.")
                .doesNotContain("No space left");
    }

    /** Writes pages to {@code file} until the disk refuses one. */
    private static void fill(Path file) throws IOException {
        ByteBuffer page = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                page.clear();
                while (page.hasRemaining()) {
                    ch.write(page);
                }
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }

    /** Polls {@code /health} until it answers {@code status}: the shard reports over the event bus. */
    private static HttpResponse<Buffer> awaitHealth(RunningNode node, int status) throws InterruptedException {
        HttpResponse<Buffer> last = null;
        for (int i = 0; i < 300; i++) {
            last = node.get("/health");
            if (last.statusCode() == status) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/health never answered " + status + "; last: " + last.statusCode() + " " + last.bodyAsString());
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(List.of(command)).inheritIO().start().waitFor();
    }
}
