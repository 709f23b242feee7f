package io.riffle.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.log.crypto.KeyringFile;
import io.riffle.log.crypto.TestKeyrings;
import io.riffle.model.Record;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sealed log path: encrypted segments, switching on and off, restart, crash recovery and key problems. */
class EncryptedShardLogTest {
    static final String ARN = TestKeyrings.ARN;
    private static final String SECRET = "TOP-SECRET-4111-1111-1111-1111";
    private static final long T0 = System.currentTimeMillis();

    @TempDir
    Path tmp;
    private Path dir;
    private Path keyringPath;
    private KeyringFile keyring;

    @BeforeEach
    void setUp() throws IOException {
        dir = tmp.resolve("shardId-000000000000");
        keyringPath = tmp.resolve("keyring.json");
        Files.writeString(keyringPath, TestKeyrings.json(true));
        keyring = new KeyringFile(keyringPath);
    }

    private ShardLog open() throws IOException {
        return ShardLog.open(dir, LogConfig.defaults(), Clock.systemUTC(), keyring::keyring);
    }

    private static List<AppendRecord> batch(int from, int count) {
        List<AppendRecord> b = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            b.add(new AppendRecord("customer-" + SECRET + "-" + i, (SECRET + " record " + i).getBytes(StandardCharsets.UTF_8), T0 + i));
        }
        return b;
    }

    private static void assertRecords(List<Record> read, int from, int count, boolean encrypted) {
        assertThat(read).hasSize(count);
        for (int i = 0; i < count; i++) {
            Record r = read.get(i);
            assertThat(r.offset()).isEqualTo(from + i);
            assertThat(r.partitionKey()).isEqualTo("customer-" + SECRET + "-" + (from + i));
            assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo(SECRET + " record " + (from + i));
            assertThat(r.encrypted()).as("record %d encrypted", from + i).isEqualTo(encrypted);
        }
    }

    private static void assertPlainSealedPlain(ShardLog log) throws IOException {
        List<Record> all = log.read(0, 100, 1 << 20);
        assertRecords(all.subList(0, 3), 0, 3, false);
        assertRecords(all.subList(3, 7), 3, 4, true);
        assertRecords(all.subList(7, 9), 7, 2, false);
        // A read from the middle of the sealed segment (through its index) decrypts too.
        assertRecords(log.read(5, 1, 1 << 20), 5, 1, true);
    }

    @Test
    void recordsAfterStartAreSealedBeforeAndAfterStayPlainAndAllReadBackAfterRestartAndCrash() throws IOException {
        try (ShardLog log = open()) {
            log.append(batch(0, 3));
            log.setEncryption("alias/orders");
            assertThat(log.append(batch(3, 4))).isEqualTo(3);
            assertThat(log.encrypted(3)).isTrue();
            assertThat(log.encrypted(0)).isFalse();
            log.setEncryption(null);
            log.append(batch(7, 2));
            assertThat(log.encrypted(7)).isFalse();
            assertPlainSealedPlain(log);
        }
        // One sidecar: the sealed segment's, at its base offset.
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".key")))
                    .containsExactly(Segment.name(3, ".key"));
        }
        try (ShardLog log = open()) {
            assertPlainSealedPlain(log);
        }
        Files.delete(dir.resolve(LogMarker.CLEAN_SHUTDOWN)); // as after a crash: the last segment is verified frame by frame
        try (ShardLog log = open()) {
            assertThat(log.damaged()).isEmpty();
            assertPlainSealedPlain(log);
        }
    }

    @Test
    void aTornSealedTailIsCutAndAFlippedBitInASealedFrameIsDamageFoundByTheCrc() throws IOException {
        try (ShardLog log = open()) {
            log.setEncryption(ARN);
            for (int i = 0; i < 6; i++) {
                log.append(batch(i, 1));
            }
        }
        Path seg = dir.resolve(Segment.name(0, ".log"));
        long good = Files.size(seg);
        Files.write(seg, new byte[] {0, 0, 1, 0, 7, 7}, StandardOpenOption.APPEND);
        Files.delete(dir.resolve(LogMarker.CLEAN_SHUTDOWN));
        try (ShardLog log = open()) {
            assertThat(log.recovery().truncations()).hasSize(1);
            assertThat(Files.size(seg)).isEqualTo(good);
            assertRecords(log.read(0, 100, 1 << 20), 0, 6, true);
        }
        long frame = good / 6; // equal-sized frames: record 2 starts at 2 * frame
        LogFixtures.flipBit(seg, 2 * frame + 40);
        Files.delete(dir.resolve(LogMarker.CLEAN_SHUTDOWN));
        try (ShardLog log = open()) {
            assertThat(log.damaged()).singleElement().satisfies(d -> {
                assertThat(d.fromOffset()).isEqualTo(2);
                assertThat(d.toOffset()).isEqualTo(2);
                assertThat(d.reason()).contains("CRC32C");
            });
            assertRecords(log.read(3, 100, 1 << 20), 3, 3, true);
        }
    }

    @Test
    void noFileOfAnEncryptedLogHoldsAnyPlainKeyOrData() throws IOException {
        try (ShardLog log = open()) {
            log.setEncryption("alias/orders");
            for (int i = 0; i < 50; i++) {
                log.append(batch(i * 4, 4));
            }
            assertRecords(log.read(0, 1000, 16 << 20), 0, 200, true);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains(Segment.name(0, ".log"), Segment.name(0, ".key"));
        for (Path f : files) {
            String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(content).as(f.toString()).doesNotContain("SECRET").doesNotContain("customer-").doesNotContain("record ");
        }
    }

    @Test
    void aMissingOrDisabledKeyFailsAppendsWithNothingWrittenAndReadsUntilItIsBack() throws IOException {
        try (ShardLog log = open()) {
            log.setEncryption("alias/missing");
            assertThatThrownBy(() -> log.append(batch(0, 1))).isInstanceOfSatisfying(KeyUnavailableException.class,
                    e -> assertThat(e.errorType()).isEqualTo("KMSNotFoundException"));
            assertThat(log.endOffset()).isZero();

            log.append(batch(0, 1)); // still failing: the setting stays
        } catch (KeyUnavailableException expected) {
            // the second append fails the same way
        }
        try (ShardLog log = open()) {
            assertThat(log.endOffset()).isZero();
            log.setEncryption("alias/orders");
            log.append(batch(0, 2));

            Files.writeString(keyringPath, TestKeyrings.json(false));
            assertThat(keyring.reloadIfChanged()).isTrue();
            assertThatThrownBy(() -> log.append(batch(2, 1))).isInstanceOfSatisfying(KeyUnavailableException.class,
                    e -> assertThat(e.errorType()).isEqualTo("KMSDisabledException"));
            assertThatThrownBy(() -> log.read(0, 10, 1 << 20)).isInstanceOfSatisfying(KeyUnavailableException.class,
                    e -> assertThat(e.errorType()).isEqualTo("KMSDisabledException"));
            assertThat(log.endOffset()).isEqualTo(2);

            Files.writeString(keyringPath, TestKeyrings.json(true));
            assertThat(keyring.reloadIfChanged()).isTrue();
            assertRecords(log.read(0, 10, 1 << 20), 0, 2, true);
            log.append(batch(2, 1));
            assertRecords(log.read(0, 10, 1 << 20), 0, 3, true);
        }
    }

    @Test
    void aDamagedSidecarFailsReadsOfItsSegmentOnlyAndRetentionDeletesSidecarsWithTheirSegments() throws IOException {
        io.riffle.testing.MutableClock clock = new io.riffle.testing.MutableClock(T0);
        LogConfig config = LogConfig.defaults().withRetentionMillis(3_600_000L);
        try (ShardLog log = ShardLog.open(dir, config, clock, keyring::keyring)) {
            log.setEncryption(ARN);
            log.append(batch(0, 2));
            log.setEncryption(null);
            log.append(batch(2, 2));
        }
        Path sidecar = dir.resolve(Segment.name(0, ".key"));
        Files.write(sidecar, new byte[] {1, 0});
        try (ShardLog log = ShardLog.open(dir, config, clock, keyring::keyring)) {
            assertThatThrownBy(() -> log.read(0, 10, 1 << 20)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(KeyUnavailableException.class).hasMessageContaining("damaged");
            assertRecords(log.read(2, 10, 1 << 20), 2, 2, false);
            log.append(batch(4, 1));

            clock.advance(2 * 3_600_000L);
            AppendRecord fresh = batch(5, 1).get(0);
            log.append(List.of(new AppendRecord(fresh.partitionKey(), fresh.data(), clock.millis()))); // the old segments expire
            assertThat(log.enforceRetention()).isPositive();
            assertThat(sidecar).doesNotExist();
            assertRecords(log.read(0, 10, 1 << 20), 5, 1, false);
        }
    }

    @Test
    void anAliasMovedToAnotherKeySealsTheNextRecordsInANewSegmentAndTheOldOnesStillOpen() throws IOException {
        String other = "arn:aws:kms:us-east-1:000000000000:key/5e1e0000-0000-0000-0000-00000000000b";
        String material = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        try (ShardLog log = open()) {
            log.setEncryption("alias/orders");
            log.append(batch(0, 2));
            // The alias now names another key; the first key stays in the keyring, so its segment still opens.
            Files.writeString(keyringPath, "{\"keys\":[{\"keyId\":\"" + ARN + "\",\"material\":\""
                    + java.util.Base64.getEncoder().encodeToString(filled(42)) + "\"},{\"keyId\":\"" + other
                    + "\",\"aliases\":[\"alias/orders\"],\"material\":\"" + material + "\"}]}");
            assertThat(keyring.reloadIfChanged()).isTrue();
            log.append(batch(2, 2));
            assertRecords(log.read(0, 10, 1 << 20), 0, 4, true);
        }
        assertThat(io.riffle.log.crypto.DataKey.masterArnOf(Files.readAllBytes(dir.resolve(Segment.name(0, ".key"))))).isEqualTo(ARN);
        assertThat(io.riffle.log.crypto.DataKey.masterArnOf(Files.readAllBytes(dir.resolve(Segment.name(2, ".key"))))).isEqualTo(other);
        try (ShardLog log = open()) {
            assertRecords(log.read(0, 10, 1 << 20), 0, 4, true);
        }
    }

    private static byte[] filled(int b) {
        byte[] a = new byte[32];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }
}
