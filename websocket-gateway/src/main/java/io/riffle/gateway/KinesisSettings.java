package io.riffle.gateway;

import java.nio.file.Path;

/**
 * Node settings the Kinesis API needs and the native API does not.
 *
 * @param region    the region in stream and consumer ARNs ({@code arn:aws:kinesis:<region>:<account>:stream/...})
 * @param accountId the 12-digit account id in ARNs
 * @param dataDir   the node's data directory, where the Kinesis API may keep its own state (for example the
 *                  secret that seals shard iterators, so they survive a restart)
 */
public record KinesisSettings(String region, String accountId, Path dataDir) {
}
