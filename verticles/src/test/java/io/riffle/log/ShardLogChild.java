package io.riffle.log;

import io.riffle.model.Record;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child JVM of {@link ShardLogCrashTest} and {@link ShardLogWriteErrorTest}. The record at offset o is
 * always {@link #expected}(o), so the parent can check any offset byte for byte.
 *
 * <ul>
 *   <li>{@code append <dir> <PER_BATCH|INTERVAL> [keyringFile]}: appends batches forever, printing {@code ACK first last}
 *       after each returns (never calling flush under INTERVAL: a process crash must not lose anything); with
 *       a keyring file (not empty), sealed under its key {@code alias/orders}.</li>
 *   <li>{@code fill <dir>}: appends 20 KiB batches until an append fails, prints {@code FAILED <message>}, then
 *       reads the whole log back and prints {@code READ <count> <ok|mismatch>}.</li>
 * </ul>
 */
public final class ShardLogChild {
    private ShardLogChild() {
    }

    static AppendRecord expected(long offset) {
        int size = (int) (offset * 7919 % 300);
        return new AppendRecord("pk-" + offset, LogFixtures.data(offset, size), 0);
    }

    static boolean matches(Record r) {
        AppendRecord e = expected(r.offset());
        return r.partitionKey().equals(e.partitionKey()) && java.util.Arrays.equals(r.data(), e.data());
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[1]);
        LogConfig config = args[0].equals("append")
                ? LogConfig.defaults().withSegmentBytes(256 << 10).withFsyncPolicy(FsyncPolicy.valueOf(args[2]))
                : LogConfig.defaults();
        boolean sealed = args.length > 3 && !args[3].isEmpty();
        io.riffle.log.crypto.Keyring keyring = sealed ? io.riffle.log.crypto.Keyring.load(Path.of(args[3]))
                : io.riffle.log.crypto.Keyring.empty();
        try (ShardLog log = ShardLog.open(dir, config, Clock.systemUTC(), () -> keyring)) {
            if (sealed) {
                log.setEncryption("alias/orders");
            }
            if (args[0].equals("append")) {
                appendForever(log);
            } else {
                fill(log);
            }
        }
    }

    private static void appendForever(ShardLog log) throws IOException {
        Random random = new Random();
        long next = log.endOffset();
        while (true) {
            int n = 1 + random.nextInt(50);
            List<AppendRecord> batch = new ArrayList<>(n);
            for (long o = next; o < next + n; o++) {
                AppendRecord e = expected(o);
                batch.add(new AppendRecord(e.partitionKey(), e.data(), System.currentTimeMillis()));
            }
            long first = log.append(batch);
            if (first != next) {
                System.out.println("ERROR expected offset " + next + " got " + first);
                System.exit(3);
            }
            next += n;
            System.out.println("ACK " + first + " " + (next - 1));
            System.out.flush();
        }
    }

    private static void fill(ShardLog log) throws IOException {
        long next = log.endOffset();
        try {
            while (true) {
                List<AppendRecord> batch = new ArrayList<>();
                for (long o = next; o < next + 20; o++) {
                    AppendRecord e = expected(o);
                    batch.add(new AppendRecord(e.partitionKey(), LogFixtures.data(o, 1000), System.currentTimeMillis()));
                }
                log.append(batch);
                next += 20;
                System.out.println("ACK " + (next - 20) + " " + (next - 1));
            }
        } catch (IOException e) {
            System.out.println("FAILED " + e.getMessage().replace('\n', ' '));
        }
        long count = 0;
        boolean ok = true;
        for (Record r : LogFixtures.readAll(log, 0)) {
            ok &= r.offset() == count && r.partitionKey().equals("pk-" + count)
                    && java.util.Arrays.equals(r.data(), LogFixtures.data(count, 1000));
            count++;
        }
        System.out.println("READ " + count + " " + (ok && count == log.endOffset() ? "ok" : "mismatch"));
        System.out.flush();
    }
}
