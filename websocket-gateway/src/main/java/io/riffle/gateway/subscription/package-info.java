/**
 * Enhanced fan-out push, shared by the WebSocket API ({@code io.riffle.gateway.ws}) and Kinesis SubscribeToShard.
 *
 * <p>A {@link io.riffle.gateway.subscription.ShardSubscription} delivers one shard's records to one
 * {@link io.riffle.gateway.subscription.SubscriptionSink}: catch-up from the log, then live, without gap or
 * duplicate, paced by the sink's demand, limited per consumer and shard, with bounded memory, taken over by a
 * newer subscription of the same consumer and shard, with heartbeats when idle. Sketch of a SubscribeToShard
 * over an HTTP/2 (or chunked HTTP/1.1) response, on the gateway verticle's event loop:
 *
 * <pre>{@code
 * SubscriptionOptions options = services.subscriptions().withMaxDurationMillis(300_000); // 5 minutes
 * HttpServerResponse response = ctx.response().setChunked(true);
 * ShardSubscription.start(vertx, services.client(), stream, shard, consumer, from, options,
 *         services.subscriptionMetrics(), new SubscriptionSink() {
 *             ShardSubscription self; // set once start() completes
 *             public void onEvent(ShardEvent e) {          // e.isHeartbeat(): an empty SubscribeToShardEvent
 *                 response.write(subscribeToShardEvent(e)); // Records, ContinuationSequenceNumber, MillisBehindLatest
 *                 if (!response.writeQueueFull()) self.request(1);
 *                 else response.drainHandler(v -> self.request(1));
 *             }
 *             public void onEnd(SubscriptionEnd end) {     // EndOfShard: ChildShards, null continuation
 *                 response.end(lastFrameFor(end));         // TakenOver / Failed: an exception frame
 *             }
 *         })
 *     .onSuccess(s -> {
 *         sink.self = s;
 *         response.write(initialResponseFrame());
 *         response.closeHandler(v -> s.cancel());
 *         s.request(1);
 *     })
 *     .onFailure(ctx::fail); // nothing was written yet: answer the error as usual
 * }</pre>
 */
package io.riffle.gateway.subscription;
