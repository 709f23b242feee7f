package io.riffle.kinesis;

import static io.riffle.kinesis.Shapes.obj;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.Constraint;
import io.riffle.model.Limits;
import io.riffle.model.SequenceNumber;
import io.riffle.model.ShardId;
import io.riffle.model.StreamName;
import io.riffle.stream.PutEntry;
import io.riffle.stream.PutOutcome;
import io.riffle.stream.ReadFrom;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The data plane by polling: PutRecord, PutRecords, GetShardIterator, GetRecords. Throughput limits are the
 * engine's (its shard buckets answer ProvisionedThroughputExceeded); this class maps shapes and positions.
 */
final class RecordOperations {
    static final List<String> ITERATOR_TYPES = List.of("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER",
            "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP");

    private final StreamClient streams;
    private final Arns arns;
    private final Tokens tokens;
    private final KinesisSettings settings;

    RecordOperations(StreamClient streams, Arns arns, Tokens tokens, KinesisSettings settings) {
        this.streams = streams;
        this.arns = arns;
        this.tokens = tokens;
        this.settings = settings;
    }

    void register(Map<String, Function<KinesisRequest, Future<?>>> ops) {
        ops.put("PutRecord", this::putRecord);
        ops.put("PutRecords", this::putRecords);
        ops.put("GetShardIterator", this::getShardIterator);
        ops.put("GetRecords", this::getRecords);
    }

    private Future<?> putRecord(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        // SequenceNumberForOrdering needs no work: the shard verticle appends one request at a time, so a
        // writer that waits for each answer is already strictly ordered (RequestShapes checked its form).
        PutEntry entry = entry(r);
        return streams.put(name, List.of(entry)).map(outcomes -> {
            if (outcomes.get(0) instanceof PutOutcome.Rejected x) {
                throw new RiffleException(x.code(), x.message());
            }
            PutOutcome.Accepted a = (PutOutcome.Accepted) outcomes.get(0);
            // AWS names EncryptionType only for records written encrypted.
            return obj("ShardId", a.shardId().toString(), "SequenceNumber", a.sequenceNumber().wire(),
                    "EncryptionType", a.encrypted() ? "KMS" : null);
        });
    }

    private Future<?> putRecords(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        if (!r.has("Records")) {
            throw r.member("Records").missing();
        }
        List<KinesisRequest> items = r.member("Records").structures("PutRecords");
        List<PutEntry> entries = new ArrayList<>(items.size());
        long bytes = 0;
        for (KinesisRequest item : items) {
            PutEntry e = entry(item);
            bytes += Limits.billedBytes(e.partitionKey(), e.data().length);
            entries.add(e);
        }
        if (bytes > Limits.PUT_RECORDS_MAX_BYTES) {
            throw RiffleException.invalidArgument("Records size exceeds " + Limits.PUT_RECORDS_MAX_BYTES / Limits.MIB
                    + " MiB limit: " + bytes + " bytes.");
        }
        return streams.put(name, entries).map(outcomes -> {
            int failed = 0;
            boolean encrypted = false;
            List<Map<String, Object>> results = new ArrayList<>(outcomes.size());
            for (PutOutcome o : outcomes) {
                if (o instanceof PutOutcome.Accepted a) {
                    encrypted |= a.encrypted();
                    results.add(obj("SequenceNumber", a.sequenceNumber().wire(), "ShardId", a.shardId().toString()));
                } else if (o instanceof PutOutcome.Rejected x) {
                    failed++;
                    // AWS's per-record codes are the throttling one and InternalFailure; clients retry both.
                    String code = x.code() == ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED ? x.code().wireName()
                            : ErrorCode.INTERNAL_FAILURE.wireName();
                    results.add(obj("ErrorCode", code, "ErrorMessage", x.message()));
                }
            }
            return obj("FailedRecordCount", failed, "Records", results, "EncryptionType", encrypted ? "KMS" : null);
        });
    }

    /** One record of a put; the partition key and hash key are validated by PutEntry. */
    private static PutEntry entry(KinesisRequest r) {
        String partitionKey = r.member("PartitionKey").requiredString();
        byte[] data = r.member("Data").requiredBlob();
        int max = Limits.MAX_RECORD_SIZE_KIB_MAX * 1024;
        Constraint.of("data", new Constraint.MaxLength(max)).require(data);
        return new PutEntry(partitionKey, r.member("ExplicitHashKey").string(), data);
    }

    private Future<?> getShardIterator(KinesisRequest r) {
        StreamName name = arns.streamOf(r);
        ShardId shard = shardOf(name, r.member("ShardId").requiredString());
        String type = r.member("ShardIteratorType").requiredString();
        ReadFrom from = readFrom(type, shard, r.member("StartingSequenceNumber"), r.member("Timestamp"), settings.clock());
        return streams.resolve(name, shard, from)
                .map(offset -> obj("ShardIterator", tokens.shardIterator(name, shard, offset)));
    }

    /**
     * The start position a GetShardIterator or SubscribeToShard names. A sequence number must belong to the
     * shard it is used with.
     */
    static ReadFrom readFrom(String type, ShardId shard, KinesisRequest.Member sequenceNumber, KinesisRequest.Member timestamp,
                             Clock clock) {
        boolean bySequenceNumber = type.endsWith("_SEQUENCE_NUMBER");
        if (bySequenceNumber != sequenceNumber.present() && !type.equals("AT_TIMESTAMP")) {
            throw RiffleException.invalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and"
                    + " StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
                    + type + (bySequenceNumber ? " and no StartingSequenceNumber." : " and also a StartingSequenceNumber."));
        }
        return switch (type) {
            case "TRIM_HORIZON" -> new ReadFrom.TrimHorizon();
            case "LATEST" -> new ReadFrom.Latest();
            case "AT_TIMESTAMP" -> new ReadFrom.AtTimestamp(pastTimestamp(timestamp, clock));
            default -> {
                String wire = sequenceNumber.requiredString();
                if (wire.equals(beforeFirstRecord(shard))) {
                    // From the first record on: TRIM_HORIZON, which also works before that record exists.
                    yield new ReadFrom.TrimHorizon();
                }
                SequenceNumber seq = SequenceNumber.parse(KinesisRequest.fieldName(sequenceNumber.name()), wire);
                yield type.equals("AT_SEQUENCE_NUMBER") ? ReadFrom.at(shard, seq) : ReadFrom.after(shard, seq);
            }
        };
    }

    /** An AT_TIMESTAMP position: required, and not after now (AWS's words). */
    private static long pastTimestamp(KinesisRequest.Member timestamp, Clock clock) {
        long millis = timestamp.timestampMillis().orElseThrow(() -> RiffleException.invalidArgument("Must specify"
                + " timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."));
        long now = clock.millis();
        if (millis > now) {
            throw RiffleException.invalidArgument("The timestampInMillis parameter cannot be greater than the"
                    + " currentTimestampInMillis. timestampInMillis: " + millis + ", currentTimestampInMillis: " + now);
        }
        return millis;
    }

    /**
     * The position just before a shard's first record ever, as a sequence number: one less than that record's.
     * SubscribeToShard hands it out as ContinuationSequenceNumber while nothing has been delivered yet
     * (Kinesis never leaves the continuation out except at the end of a closed shard, where the KCL reads a
     * missing one as the end). It sorts below every sequence number of the shard and is never one of Riffle's
     * own (its offset bits are all ones), so AT or AFTER it both mean "from the first record".
     */
    static String beforeFirstRecord(ShardId shard) {
        return new BigInteger(new SequenceNumber(shard.index(), 0).wire()).subtract(BigInteger.ONE).toString();
    }

    /**
     * A shard id of the request, parsed as AWS does ({@code shardId-0} and {@code shardId-000000000000} are
     * the same); one without a shard index names no shard of the stream.
     */
    ShardId shardOf(StreamName name, String shardId) {
        return ShardId.parse("shardId", shardId).orElseThrow(() -> RiffleException.notFound("Could not find shard "
                + shardId + " in stream " + name + " under account " + settings.accountId() + "."));
    }

    private Future<?> getRecords(KinesisRequest r) {
        String iterator = r.member("ShardIterator").requiredString();
        int limit = r.member("Limit").integer().orElse(Limits.GET_RECORDS_MAX_RECORDS);
        Tokens.ShardPosition pos = tokens.openShardIterator(iterator);
        Optional<String> arn = r.member("StreamARN").string();
        if (arn.isPresent() && !arns.parseStream("streamARN", arn.get()).equals(pos.stream())) {
            throw RiffleException.invalidArgument("The shard iterator was issued for another stream than " + arn.get() + ".");
        }
        return streams.read(pos.stream(), pos.shard(), pos.offset(), limit, Limits.GET_RECORDS_MAX_BYTES, true)
                .compose(batch -> {
                    List<Map<String, Object>> records = batch.records().stream()
                            .map(rec -> Shapes.record(pos.shard(), rec)).toList();
                    if (!batch.endOfShard()) {
                        return Future.succeededFuture(obj("Records", records,
                                "NextShardIterator", tokens.shardIterator(pos.stream(), pos.shard(), batch.nextOffset()),
                                "MillisBehindLatest", batch.millisBehindLatest()));
                    }
                    // The end of a closed shard: no next iterator, and the children to continue with.
                    return streams.describe(pos.stream()).map(d -> obj("Records", records,
                            "MillisBehindLatest", batch.millisBehindLatest(),
                            "ChildShards", Shapes.childShards(d, pos.shard())));
                });
    }
}
