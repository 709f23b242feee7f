package io.riffle.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelValidationTest {
    private static void assertCode(Runnable r, ErrorCode code, String messagePart) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(RiffleException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "orders", "A-b_c.d", "0123456789.0123456789-0123456789_0123456789"})
    void validStreamNamesAreAccepted(String name) {
        assertThat(StreamName.of(name).value()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "slash/", "ünïcode"})
    void invalidStreamNamesAreValidationErrors(String name) {
        assertCode(() -> StreamName.of(name), ErrorCode.VALIDATION, "at 'streamName' failed to satisfy constraint");
    }

    @Test
    void streamNameOf129CharactersIsTooLong() {
        assertCode(() -> StreamName.of("x".repeat(129)), ErrorCode.VALIDATION, "have length less than or equal to 128");
        assertCode(() -> ConsumerName.of("x".repeat(129)), ErrorCode.VALIDATION, "at 'consumerName'");
    }

    @Test
    void partitionKeysAreOneTo256UnicodeCharacters() {
        assertThat(HashKeys.requirePartitionKey("k")).isEqualTo("k");
        assertThat(HashKeys.requirePartitionKey("é".repeat(256))).hasSize(256);
        assertCode(() -> HashKeys.requirePartitionKey(""), ErrorCode.VALIDATION, "partitionKey");
        assertCode(() -> HashKeys.requirePartitionKey("k".repeat(257)), ErrorCode.VALIDATION, "partitionKey");
    }

    @Test
    void partitionKeyRoutesByItsMd5AsUnsigned128BitInteger() {
        // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
        assertThat(HashKeys.md5("a")).isEqualTo(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16));
        // MD5("") starts with d4, so it is read as a positive number above 2^127.
        assertThat(HashKeys.md5("b").signum()).isPositive();
    }

    @Test
    void explicitHashKeysAreValidated() {
        assertThat(HashKeys.parseExplicit("0")).isZero();
        assertThat(HashKeys.parseExplicit(HashKeyRange.MAX.toString())).isEqualTo(HashKeyRange.MAX);
        assertCode(() -> HashKeys.parseExplicit("01"), ErrorCode.VALIDATION, "explicitHashKey");
        assertCode(() -> HashKeys.parseExplicit("-1"), ErrorCode.VALIDATION, "explicitHashKey");
        assertCode(() -> HashKeys.parseExplicit(HashKeyRange.MAX.add(BigInteger.ONE).toString()),
                ErrorCode.INVALID_ARGUMENT, "ExplicitHashKey");
    }

    @Test
    void evenSplitCoversTheWholeSpaceWithoutGaps() {
        for (int n : new int[] {1, 2, 3, 7, 100}) {
            List<HashKeyRange> ranges = HashKeyRange.evenSplit(n);
            assertThat(ranges).hasSize(n);
            assertThat(ranges.get(0).start()).isZero();
            assertThat(ranges.get(n - 1).end()).isEqualTo(HashKeyRange.MAX);
            BigInteger width = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(n));
            for (int i = 1; i < n; i++) {
                assertThat(ranges.get(i).start()).isEqualTo(ranges.get(i - 1).end().add(BigInteger.ONE));
                assertThat(ranges.get(i).start()).isEqualTo(width.multiply(BigInteger.valueOf(i)));
            }
        }
    }

    @Test
    void shardIdsHaveTwelveDigits() {
        assertThat(new ShardId(7).toString()).isEqualTo("shardId-000000000007");
        for (int i : new int[] {0, 9, 10, 255, 256, 999_999, Integer.MAX_VALUE}) {
            assertThat(new ShardId(i).toString()).isEqualTo(String.format("shardId-%012d", i));
        }
        assertThat(ShardId.of("shardId-000000000123")).isEqualTo(new ShardId(123));
        assertCode(() -> ShardId.parse("shardId", "bad id!"), ErrorCode.VALIDATION, "shardId");
    }

    @ParameterizedTest
    @ValueSource(strings = {"shardId-000000000001", "shardId-1", "shardId-01", "shard-1", "foo-1", "1", "a-b-c-0001"})
    void shardIdsNameTheShardOfTheDigitsAfterTheLastDash(String given) {
        assertThat(ShardId.parse("shardId", given)).contains(new ShardId(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"shardId-", "shardId-x", "shardId-1x", "shardId-2147483648", "shardId-99999999999999999999", "foo"})
    void shardIdsWithoutAnIndexNameNoShard(String given) {
        assertThat(ShardId.parse("shardId", given)).isEmpty();
    }

    @Test
    void shardIdsBreakingThePatternListEveryViolation() {
        assertCode(() -> ShardId.parse("shardId", ""), ErrorCode.VALIDATION, "2 validation errors detected: Value '' at"
                + " 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+;"
                + " Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1");
        assertThat(ShardId.parse("shardId", "shardId-" + "0".repeat(119) + "1")).contains(new ShardId(1));
        assertCode(() -> ShardId.parse("shardId", "s".repeat(129)), ErrorCode.VALIDATION,
                "1 validation error detected: Value '" + "s".repeat(129) + "' at 'shardId' failed to satisfy constraint:"
                        + " Member must have length less than or equal to 128");
    }

    @Test
    void aStreamNameBreakingPatternAndLengthGetsBothViolations() {
        assertCode(() -> StreamName.of(""), ErrorCode.VALIDATION, "2 validation errors detected: Value '' at 'streamName'"
                + " failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value ''"
                + " at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1");
        assertCode(() -> StreamName.of(null), ErrorCode.VALIDATION,
                "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void violationsOfSeveralMembersAreListedInOneMessage() {
        Violations v = new Violations().check(Constraints.SHARD_COUNT, 0).check(Constraints.STREAM_NAME, "a b");
        assertCode(v::throwIfAny, ErrorCode.VALIDATION, "2 validation errors detected: Value '0' at 'shardCount' failed"
                + " to satisfy constraint: Member must have value greater than or equal to 1; Value 'a b' at 'streamName'"
                + " failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"env", "Prod Team", "a_b.c:d/e=f+g-h@i", "ünïcödé", "数据", "١٢٣", ""})
    void tagsOfLettersDigitsSpacesAndAllowedPunctuationAreLegal(String tag) {
        assertThat(Tags.legal(tag)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a;b", "a\tb", "a\nb", "a,b", "100%", "<b>", "a*", "a#b", "a\"b"})
    void tagsWithOtherCharactersAreIllegal(String tag) {
        assertThat(Tags.legal(tag)).isFalse();
        assertCode(() -> Tags.requireLegal(Map.of("k", tag), "Failed to add tags to stream s"),
                ErrorCode.INVALID_ARGUMENT, "Failed to add tags to stream s because some tags contained illegal characters");
        assertCode(() -> Tags.requireLegalKeys(List.of(tag), "Failed to remove tags from stream s"),
                ErrorCode.INVALID_ARGUMENT, "Failed to remove tags from stream s because");
    }

    @Test
    void aStreamHoldsAtMostFiftyTags() {
        List<String> fifty = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "k" + i).toList();
        Tags.requireRoom(fifty, List.of("k0"), "Failed to add tags to stream s");
        assertCode(() -> Tags.requireRoom(fifty, List.of("k50"), "Failed to add tags to stream s"), ErrorCode.INVALID_ARGUMENT,
                "Failed to add tags to stream s because a given stream cannot have more than 50 tags associated with it.");
    }

    @Test
    void sequenceNumbersRoundTripAndOrderAsNumbersAndStrings() {
        SequenceNumber a = new SequenceNumber(0, 0);
        SequenceNumber b = new SequenceNumber(0, 1);
        SequenceNumber c = new SequenceNumber(3, Long.MAX_VALUE);
        for (SequenceNumber s : List.of(a, b, c)) {
            assertThat(s.wire()).hasSize(38);
            assertThat(SequenceNumber.parse("sequenceNumber", s.wire())).isEqualTo(s);
        }
        assertThat(a.wire().compareTo(b.wire())).isNegative();
        assertThat(new BigInteger(a.wire())).isLessThan(new BigInteger(b.wire()));
        assertThat(b).isLessThan(c);
    }

    @Test
    void sequenceNumberWireFormEqualsTheBigIntegerFormulaAtEdgeValues() {
        int[] shards = {0, 1, 9, 10, 999_999_999, 1_000_000_000, 65_535, 65_536, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        long[] offsets = {0, 1, 9, 10, 999_999_999, 1_000_000_000, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
            0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE - 1, Long.MAX_VALUE};
        BigInteger marker = BigInteger.ONE.shiftLeft(124);
        for (int shard : shards) {
            for (long offset : offsets) {
                String expected = marker.add(BigInteger.valueOf(shard).shiftLeft(64)).add(BigInteger.valueOf(offset)).toString();
                assertThat(new SequenceNumber(shard, offset).wire()).as("shard %d offset %d", shard, offset).isEqualTo(expected);
            }
        }
    }

    @Test
    void foreignOrMalformedSequenceNumbersAreRefused() {
        assertCode(() -> SequenceNumber.parse("sequenceNumber", "12a"), ErrorCode.VALIDATION, "sequenceNumber");
        assertCode(() -> SequenceNumber.parse("sequenceNumber", "49590338271490256608559692538361571095921575989136588898"),
                ErrorCode.INVALID_ARGUMENT, "not issued by Riffle");
        assertCode(() -> SequenceNumber.parse("sequenceNumber", "1"), ErrorCode.INVALID_ARGUMENT, "not issued");
    }

    @Test
    void recordsNeverPrintTheirPayload() {
        Record r = new Record(1, 2, "secret-key", "secret-data".getBytes());
        assertThat(r.toString()).doesNotContain("secret").contains("data.length=11");
        assertThat(r.billedBytes()).isEqualTo(10 + 11);
    }

    @Test
    void errorCodesCarryWireNamesStatusesAndRoundTripAsFailureCodes() {
        assertThat(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED.wireName()).isEqualTo("ProvisionedThroughputExceededException");
        assertThat(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED.httpStatus()).isEqualTo(429);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.wireName()).isEqualTo("ValidationException");
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.fromFailureCode(c.failureCode())).isEqualTo(c);
        }
        assertThat(ErrorCode.fromFailureCode(-1)).isEqualTo(ErrorCode.INTERNAL_FAILURE);
    }

    @Test
    void failureCodesAreUniqueAndNeverChange() {
        // Nodes of different versions exchange these numbers: a row here may be added, never changed.
        Map<ErrorCode, Integer> known = Map.ofEntries(
                Map.entry(ErrorCode.VALIDATION, 1000), Map.entry(ErrorCode.INVALID_ARGUMENT, 1001),
                Map.entry(ErrorCode.SERIALIZATION, 1002), Map.entry(ErrorCode.PAYLOAD_TOO_LARGE, 1003),
                Map.entry(ErrorCode.RESOURCE_NOT_FOUND, 1004), Map.entry(ErrorCode.RESOURCE_IN_USE, 1005),
                Map.entry(ErrorCode.LIMIT_EXCEEDED, 1006), Map.entry(ErrorCode.PROVISIONED_THROUGHPUT_EXCEEDED, 1007),
                Map.entry(ErrorCode.EXPIRED_ITERATOR, 1008), Map.entry(ErrorCode.EXPIRED_NEXT_TOKEN, 1009),
                Map.entry(ErrorCode.UNKNOWN_OPERATION, 1010), Map.entry(ErrorCode.ACCESS_DENIED, 1011),
                Map.entry(ErrorCode.UNSUPPORTED_OPERATION, 1012), Map.entry(ErrorCode.SERVICE_UNAVAILABLE, 1013),
                Map.entry(ErrorCode.INTERNAL_FAILURE, 1014));
        known.forEach((code, number) -> assertThat(code.failureCode()).as(code.name()).isEqualTo(number));
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::failureCode).distinct().count())
                .isEqualTo(ErrorCode.values().length);
        assertThat(Arrays.stream(ErrorCode.values()).mapToInt(ErrorCode::failureCode).min().orElseThrow()).isGreaterThanOrEqualTo(1000);
    }
}
