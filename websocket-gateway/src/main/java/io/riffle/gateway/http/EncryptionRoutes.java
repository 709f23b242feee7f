package io.riffle.gateway.http;

import io.riffle.error.RiffleException;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;

/**
 * The native twins of StartStreamEncryption and StopStreamEncryption (same checks and KMS errors, master
 * keys from the node's keyring file). Both answer 200 with the stream's description, which is UPDATING for
 * a moment as in Kinesis; records appended after the answer are sealed (or no longer sealed):
 * <ul>
 *   <li>{@code PUT /v1/streams/{name}/encryption}, body {@code {"keyId"}} (key ARN, key id, alias name or alias ARN);</li>
 *   <li>{@code DELETE /v1/streams/{name}/encryption}.</li>
 * </ul>
 */
final class EncryptionRoutes {
    private static final int MAX_KEY_ID = 2048;
    private final StreamClient client;

    EncryptionRoutes(StreamClient client) {
        this.client = client;
    }

    void mount(Router router, BodyHandler body) {
        router.put("/v1/streams/:name/encryption").handler(body).handler(this::start);
        router.delete("/v1/streams/:name/encryption").handler(this::stop);
    }

    private void start(RoutingContext ctx) {
        StreamName name = NativeApi.streamName(ctx);
        String keyId = Requests.string(Requests.jsonBody(ctx), "keyId")
                .orElseThrow(() -> RiffleException.constraint("keyId", null, "not be null"));
        if (keyId.isEmpty() || keyId.length() > MAX_KEY_ID) {
            throw RiffleException.constraint("keyId", keyId, "have length between 1 and " + MAX_KEY_ID);
        }
        NativeApi.reply(ctx, 200, client.setEncryption(name, Optional.of(keyId)).map(NativeJson::stream));
    }

    private void stop(RoutingContext ctx) {
        NativeApi.reply(ctx, 200, client.setEncryption(NativeApi.streamName(ctx), Optional.empty()).map(NativeJson::stream));
    }
}
