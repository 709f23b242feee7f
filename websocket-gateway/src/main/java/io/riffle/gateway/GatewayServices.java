package io.riffle.gateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.riffle.gateway.subscription.SubscriptionMetrics;
import io.riffle.gateway.subscription.SubscriptionOptions;
import io.riffle.security.Security;
import io.riffle.stream.StreamClient;
import io.vertx.core.Vertx;

/**
 * What every gateway verticle of a node shares: all thread-safe or immutable. Also what the Kinesis API
 * gets through {@link KinesisEndpoint}.
 *
 * @param client       the engine, over the event bus
 * @param options      HTTP limits
 * @param subscriptions options for push subscriptions (WebSocket and SubscribeToShard)
 * @param subscriptionMetrics meters of push subscriptions
 * @param registry     the node's meter registry, scraped at {@code GET /metrics}
 * @param health       the node's health: lifecycle and shards whose writes fail
 * @param cluster      the node's cluster membership, for {@code GET /v1/cluster}
 * @param security     authentication, authorization and browser rules
 */
public record GatewayServices(Vertx vertx, StreamClient client, GatewayOptions options,
                              SubscriptionOptions subscriptions, SubscriptionMetrics subscriptionMetrics,
                              PrometheusMeterRegistry registry, Health health,
                              ClusterView cluster, Security security) {
}
