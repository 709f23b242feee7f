package io.riffle.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.log.crypto.KeyringFile;
import io.riffle.model.Record;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.riffle.model.StreamStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Start/StopStreamEncryption through the engine: the control plane's checks and states, shards, reshards, restart. */
@ExtendWith(VertxExtension.class)
class EngineEncryptionTest {
    private static final StreamName S = StreamName.of("cards");

    @TempDir
    Path dataDir;
    @TempDir
    Path etc;
    private Vertx vertx;
    private KeyringFile keyring;
    private Engine engine;
    private StreamClient client;

    @BeforeEach
    void start(Vertx vertx) throws Exception {
        this.vertx = vertx;
        Path file = etc.resolve("keyring.json");
        Files.writeString(file, io.riffle.log.crypto.TestKeyrings.json(true));
        keyring = new KeyringFile(file);
        startEngine();
    }

    private void startEngine() {
        engine = await(Engine.start(vertx, EngineConfig.defaults(dataDir).withKeyring(keyring::keyring)));
        client = engine.client();
    }

    @AfterEach
    void stop() {
        await(engine.stop());
    }

    static <T> T await(Future<T> f) {
        return io.riffle.testing.Futures.await(f);
    }

    private StreamDescription awaitActive() throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            StreamDescription d = await(client.describe(S));
            if (d.status() == StreamStatus.ACTIVE) {
                return d;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never ACTIVE");
    }

    private PutOutcome.Accepted put(String data, String hashKey) {
        return (PutOutcome.Accepted) await(client.put(S, List.of(new PutEntry("k", Optional.of(hashKey),
                data.getBytes(StandardCharsets.UTF_8))))).get(0);
    }

    private List<Record> readAll(ShardId shard) {
        long offset = await(client.resolve(S, shard, new ReadFrom.TrimHorizon()));
        return await(client.read(S, shard, offset, 10_000, 10 << 20, false)).records();
    }

    @Test
    void encryptionIsCheckedStoredAndAppliedByEveryShardAcrossReshardsAndRestarts() throws Exception {
        await(client.create(CreateStream.of("cards", 1)));
        assertThat(put("before", "0").encrypted()).isFalse();
        assertThatThrownBy(() -> await(client.setEncryption(S, Optional.of("alias/other"))))
                .isInstanceOfSatisfying(RiffleException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.KMS_NOT_FOUND));
        assertThat(await(client.describe(S)).encryptionKeyId()).isEmpty();

        StreamDescription started = await(client.setEncryption(S, Optional.of("alias/orders")));
        assertThat(started.status()).isEqualTo(StreamStatus.UPDATING);
        assertThat(started.encryptionKeyId()).contains("alias/orders");
        // Already answered: the shards seal what comes next.
        assertThat(put("during", "0").encrypted()).isTrue();
        assertThat(awaitActive().encryptionKeyId()).contains("alias/orders");

        // The children of a split seal too.
        await(client.split(S, new ShardId(0), BigInteger.ONE.shiftLeft(127), true));
        List<ShardDescription> children = await(client.describe(S)).openShards();
        assertThat(children).hasSize(2);
        assertThat(put("left", "0").encrypted()).isTrue();
        assertThat(put("right", BigInteger.ONE.shiftLeft(127).toString()).encrypted()).isTrue();

        await(engine.stop());
        startEngine();
        assertThat(await(client.describe(S)).encryptionKeyId()).contains("alias/orders");
        assertThat(readAll(new ShardId(0))).extracting(Record::encrypted).containsExactly(false, true);
        for (ShardDescription child : children) {
            assertThat(readAll(child.shardId())).singleElement().satisfies(r -> assertThat(r.encrypted()).isTrue());
        }

        await(client.setEncryption(S, Optional.empty()));
        awaitActive();
        assertThat(await(client.describe(S)).encryptionKeyId()).isEmpty();
        assertThat(put("after", "0").encrypted()).isFalse();
        assertThat(readAll(children.get(0).shardId())).extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
                .containsExactly("left", "after");
    }
}
