package io.riffle.kinesis;

import io.riffle.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed shard iterators and paging tokens, and the key that seals them. */
class TokensTest {
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    @TempDir
    Path dataDir;

    private Tokens tokens(Path dir) {
        return new Tokens(KinesisSettings.load(dir, "us-east-1", "000000000000").tokenKey(), clock);
    }

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
        } catch (RiffleException e) {
            return e.code();
        }
        throw new AssertionError("no RiffleException");
    }

    @Test
    void anIteratorOpensToTheStreamShardAndOffsetItWasIssuedFor() {
        Tokens t = tokens(dataDir);
        String it = t.shardIterator(StreamName.of("orders.v2"), new ShardId(7), 123_456_789_012L);
        assertThat(it.length()).isBetween(1, 512);
        assertThat(t.openShardIterator(it)).isEqualTo(new Tokens.ShardPosition(StreamName.of("orders.v2"), new ShardId(7), 123_456_789_012L));
        assertThat(it).doesNotContain("orders");
    }

    @Test
    void theKeySurvivesARestartAndAnotherNodesKeyRefusesTheIterator(@TempDir Path otherDir) throws Exception {
        String it = tokens(dataDir).shardIterator(StreamName.of("s"), new ShardId(0), 5);
        assertThat(Files.size(dataDir.resolve(KinesisSettings.KEY_FILE))).isEqualTo(32);
        assertThat(tokens(dataDir).openShardIterator(it).offset()).isEqualTo(5);
        assertThat(codeOf(() -> tokens(otherDir).openShardIterator(it))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void anIteratorExpiresAfterFiveMinutesAndAPagingTokenToo() {
        Tokens t = tokens(dataDir);
        String it = t.shardIterator(StreamName.of("s"), new ShardId(0), 5);
        String next = t.nextToken(Tokens.Kind.LIST_STREAMS, "s");
        clock.advance(300_000);
        assertThat(t.openShardIterator(it).offset()).isEqualTo(5);
        clock.advance(1);
        assertThat(codeOf(() -> t.openShardIterator(it))).isEqualTo(ErrorCode.EXPIRED_ITERATOR);
        assertThat(codeOf(() -> t.openNextToken(Tokens.Kind.LIST_STREAMS, next))).isEqualTo(ErrorCode.EXPIRED_NEXT_TOKEN);
    }

    @Test
    void aTokenOfOneKindIsRefusedWhereAnotherIsExpected() {
        Tokens t = tokens(dataDir);
        String next = t.nextToken(Tokens.Kind.LIST_SHARDS, "s");
        assertThat(t.openNextToken(Tokens.Kind.LIST_SHARDS, next)).isEqualTo("s");
        assertThat(codeOf(() -> t.openNextToken(Tokens.Kind.LIST_STREAMS, next))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(codeOf(() -> t.openShardIterator(next))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(codeOf(() -> t.openShardIterator("!!not base64!!"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void noTokenStartsWithADashSoTheAwsCliTakesItAsAValue() {
        // base64url starts with '-' one time in 64; the CLI then reads "--shard-iterator -K..." as two options.
        Tokens t = tokens(dataDir);
        for (int i = 0; i < 2_000; i++) {
            String it = t.shardIterator(StreamName.of("s"), new ShardId(0), i);
            String next = t.nextToken(Tokens.Kind.LIST_STREAMS, "s" + i);
            assertThat(it.charAt(0)).isNotEqualTo('-');
            assertThat(next.charAt(0)).isNotEqualTo('-');
            assertThat(t.openShardIterator(it).offset()).isEqualTo(i);
        }
        assertThat(codeOf(() -> t.openShardIterator(""))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void settingsRefuseABadRegionOrAccount() {
        assertThatThrownBy(() -> KinesisSettings.load(dataDir, "us-east-1", "1234")).hasMessageContaining("12 digits");
        assertThatThrownBy(() -> KinesisSettings.load(dataDir, "US EAST", "000000000000")).hasMessageContaining("region");
    }
}
