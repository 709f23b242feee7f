package io.riffle.gateway.subscription;

import io.riffle.bus.Addresses;
import io.riffle.error.ErrorCode;
import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.StreamName;
import io.riffle.stream.StreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Ends a subscription once its stream is deleted or its consumer deregistered: on every change of the
 * stream (published by the control plane) it describes the stream and reports the first of those it finds.
 * A consumer registered again under the same name is another registration (another ARN, for Kinesis), so
 * the old one's subscriptions end too.
 */
final class RegistrationWatch {
    private RegistrationWatch() {
    }

    /**
     * Registers the watch through {@code resources} (so it goes when the subscription ends) and completes
     * once it is registered. {@code gone} hears RESOURCE_NOT_FOUND, on the caller's context, at most once
     * per change and never after {@code ended} says so.
     */
    static Future<Void> start(Vertx vertx, StreamClient client, StreamName stream, ConsumerDescription consumer,
                              SubscriptionResources resources, BooleanSupplier ended, Consumer<RiffleException> gone) {
        return resources.consumer(vertx.eventBus().<String>consumer(Addresses.streamChanged(), m -> {
            if (m.body().equals(stream.value())) {
                client.describe(stream).onComplete(d -> {
                    if (ended.getAsBoolean()) {
                        return;
                    }
                    if (d.failed()) {
                        if (RiffleException.of(d.cause()).code() == ErrorCode.RESOURCE_NOT_FOUND) {
                            gone.accept(RiffleException.notFound("Stream " + stream + " was deleted."));
                        }
                    } else if (!d.result().consumers().contains(consumer)) {
                        gone.accept(RiffleException.notFound("Consumer " + consumer.name() + " of stream " + stream
                                + " was deregistered."));
                    }
                });
            }
        })).completion();
    }
}
