package io.riffle.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What {@code GET /v1/cluster} answers: the cluster's name, this node's id, the mode ({@code standalone}
 * or {@code clustered}) and the members, each with its node id, cluster address, HTTP address and status.
 */
public interface ClusterView {
    Future<JsonObject> describe();
}
