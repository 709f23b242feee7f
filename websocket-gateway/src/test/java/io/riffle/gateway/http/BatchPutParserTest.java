package io.riffle.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.riffle.error.RiffleException;
import io.riffle.stream.PutEntry;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streaming batch parser must mean exactly what the tree parser means: the same records for every body
 * it takes, and for every other body the tree parser's answer, error included.
 */
class BatchPutParserTest {
    private static final String B64 = Base64.getEncoder().encodeToString("hello".getBytes());

    /** Bodies the streaming parser must take itself (else it is a stub that always falls back). */
    private static final List<String> PLAIN = List.of(
            "{\"records\":[{\"partitionKey\":\"k\",\"data\":\"" + B64 + "\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":\"héllo\"},{\"partitionKey\":\"é\",\"data\":\"\"}]}",
            " {\"other\":{\"a\":[1,2,{\"b\":null}]},\"records\":[{\"data\":\"" + B64 + "\",\"partitionKey\":\"k\","
                    + "\"explicitHashKey\":\"340282366920938463463374607431768211455\",\"extra\":[true]}]} ",
            "{\"records\":[" + String.join(",", java.util.Collections.nCopies(500,
                    "{\"partitionKey\":\"k\",\"text\":\"x\"}")) + "]}");

    /** Bodies it must leave to the tree parser, valid or not. */
    private static final List<String> OTHERS = List.of(
            "", "null", "[]", "{", "{}", "{\"records\":null}", "{\"records\":{}}", "{\"records\":[]}",
            "{\"records\":[1]}", "{\"records\":[{}]}",
            "{\"records\":[{\"partitionKey\":\"k\"}]}",
            "{\"records\":[{\"data\":\"" + B64 + "\"}]}",
            "{\"records\":[{\"partitionKey\":null,\"data\":\"" + B64 + "\"}]}",
            "{\"records\":[{\"partitionKey\":\"\",\"data\":\"" + B64 + "\"}]}",
            "{\"records\":[{\"partitionKey\":7,\"data\":\"" + B64 + "\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"data\":null}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":null}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"data\":\"not base64!\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"data\":\"" + B64 + "\",\"text\":\"x\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"json\":{\"a\":1.50,\"b\":[null]}}]}",
            "{\"records\":[{\"partitionKey\":\"a\",\"partitionKey\":\"b\",\"text\":\"x\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":\"x\",\"explicitHashKey\":\"-1\"}]}",
            "{\"records\":[{\"partitionKey\":\"" + "k".repeat(257) + "\",\"text\":\"x\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":\"x\"}],\"records\":[{\"partitionKey\":\"j\",\"text\":\"y\"}]}",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":\"x\"}]} trailing",
            "{\"records\":[{\"partitionKey\":\"k\",\"text\":\"x\"}]}{}",
            "{\"records\":[" + String.join(",", java.util.Collections.nCopies(501,
                    "{\"partitionKey\":\"k\",\"text\":\"x\"}")) + "]}",
            // 11 records of 1 MiB: past the 10 MiB a put may carry
            "{\"records\":[" + String.join(",", java.util.Collections.nCopies(11,
                    "{\"partitionKey\":\"k\",\"text\":\"" + "x".repeat(1 << 20) + "\"}")) + "]}");

    @Test
    void takesPlainBodiesItselfWithTheTreeParsersRecords() {
        for (String body : PLAIN) {
            assertThat(BatchPutParser.plain(Buffer.buffer(body))).as(body).isPresent();
            assertThat(describe(() -> BatchPutParser.entries(Buffer.buffer(body)))).as(body).isEqualTo(viaTree(body));
        }
    }

    @Test
    void leavesEveryOtherBodyToTheTreeParserAndAnswersAsItDoes() {
        for (String body : OTHERS) {
            String shown = body.length() > 120 ? body.substring(0, 120) + "..." : body;
            assertThat(BatchPutParser.plain(Buffer.buffer(body))).as(shown).isEmpty();
            assertThat(describe(() -> BatchPutParser.entries(Buffer.buffer(body)))).as(shown).isEqualTo(viaTree(body));
        }
    }

    @Test
    void anEmptyOrMissingBodyIsASerializationError() {
        assertThat(describe(() -> BatchPutParser.entries(null))).startsWith("SERIALIZATION");
        assertThat(describe(() -> BatchPutParser.entries(Buffer.buffer()))).startsWith("SERIALIZATION");
    }

    private static String viaTree(String body) {
        return describe(() -> NativeApi.batchEntries(Requests.jsonBody(Buffer.buffer(body))));
    }

    /** The entries field by field, or the error's code and message. */
    private static String describe(java.util.function.Supplier<List<PutEntry>> parse) {
        try {
            List<String> out = new ArrayList<>();
            for (PutEntry e : parse.get()) {
                out.add(e.partitionKey() + "|" + e.explicitHashKey() + "|" + Base64.getEncoder().encodeToString(e.data()));
            }
            return String.join("\n", out);
        } catch (RiffleException e) {
            return e.code() + ": " + e.getMessage();
        }
    }
}
