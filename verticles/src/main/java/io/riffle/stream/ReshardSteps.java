package io.riffle.stream;

import io.riffle.bus.Addresses;
import io.riffle.bus.Failures;
import io.riffle.error.ErrorCode;
import io.riffle.model.ShardDescription;
import io.riffle.model.ShardId;
import io.riffle.model.StreamDescription;
import io.riffle.model.StreamName;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one reshard, in an order that loses no acknowledged record and never shows a reader an
 * end of shard without children:
 * <ol>
 *   <li>the new shards' directories are cleared (their indexes are new to the catalog, so anything there
 *       is the leftover of a reshard cut short before it became durable) and their verticles deployed;
 *       nothing routes to them yet;</li>
 *   <li>each parent is sealed: it refuses new appends (the stream client retries those on the new
 *       shards) and answers its last offset once every append it accepted is durable;</li>
 *   <li>the new description (parents closed with their ending sequence numbers and the time the last seal
 *       answered, children
 *       open) is made durable; from here the reshard stands, and routing moves to the children;</li>
 *   <li>the parents are told they are closed, so reads at their end report it (with the children).</li>
 * </ol>
 * With replicas (in a cluster) the new shards start in step 3, with the catalog change that places them,
 * the seal answers once the parent's last records are committed (so its ending sequence number never
 * covers a record that a failover could lose), and the persist is fenced on the leader epoch each parent
 * was sealed at: a failover between the seal and the persist cannot leave a second, unsealed writer of a
 * closed parent (the new leader is sealed and the persist tried again; so is a parent whose leader went
 * away before it answered the seal).
 * A failure before step 3 completes reopens the parents and undeploys and removes the new shards: the
 * stream is as before. A crash before step 3 leaves the durable catalog as before (the parents open at
 * restart); after it, a restarted node opens the parents closed and the children open.
 */
final class ReshardSteps {
    private static final Logger LOG = LoggerFactory.getLogger(ReshardSteps.class);

    /** Rounds of seal and persist when failovers keep moving a parent's leader. */
    private static final int MAX_SEALS = 4;
    private static final long PHASE_TIMEOUT_MILLIS = 5_000;
    /** About the time a failover takes to elect a parent's next leader. */
    private static final long RESEAL_DELAY_MILLIS = 1_000;

    private final Vertx vertx;
    private final StreamName stream;
    private final Resharding.Plan plan;
    private final java.time.Clock clock;
    private final Path streamDir;
    private final StreamHosting hosting;

    ReshardSteps(Vertx vertx, StreamName stream, Resharding.Plan plan, java.time.Clock clock, Path streamDir, StreamHosting hosting) {
        this.vertx = vertx;
        this.stream = stream;
        this.plan = plan;
        this.clock = clock;
        this.streamDir = streamDir;
        this.hosting = hosting;
    }

    /**
     * Runs the steps on the caller's (the control plane's) context.
     *
     * @param deploy   starts the given new shards
     * @param persist  makes the description durable (and current), fenced on the epochs the parents were
     *                 sealed at (see {@link StreamHosting#writeResharded})
     */
    Future<Void> run(Function<List<ShardDescription>, Future<Void>> deploy,
                     BiFunction<StreamDescription, Map<ShardId, Long>, Future<Void>> persist) {
        long started = System.nanoTime();
        List<ShardId> created = plan.created().stream().map(ShardDescription::shardId).toList();
        Future<Void> durable = removeNewShardDirs()
                .compose(v -> deploy.apply(plan.created()))
                .compose(v -> sealAndPersist(persist, 1));
        return durable.transform(ar -> {
            if (ar.failed()) {
                LOG.error("Resharding stream {} failed, parents {} stay open: {}", stream, plan.sealed(), ar.cause().toString());
                return Future.join(plan.sealed().stream().map(id -> phase(id, "reopen")).toList())
                        .transform(x -> hosting.closeShards(streamDir, created))
                        .transform(x -> removeNewShardDirs())
                        .transform(x -> Future.<Void>failedFuture(ar.cause()));
            }
            LOG.info("Resharded stream {}: closed {}, created {} in {} ms", stream, plan.sealed(),
                    plan.created().stream().map(ShardDescription::shardId).toList(), (System.nanoTime() - started) / 1_000_000);
            // Durable: the reshard stands. A parent that misses "close" keeps serving reads, only without an
            // end (it closes fully at the next start); say so rather than fail a change that happened.
            return Future.join(plan.sealed().stream().map(id -> phase(id, "close")
                    .onFailure(err -> LOG.error("Shard {} of stream {} did not hear that it is closed: {}", id, stream,
                            err.toString()))).toList()).otherwiseEmpty().mapEmpty();
        });
    }

    /**
     * Seals every parent, then persists. A parent whose leader went away before answering (its node stopped,
     * an election deposed it) or changed after its seal (a failover elected a replica that was never sealed,
     * which fences the persist) is sealed again, at its next leader, a few times.
     */
    private Future<Void> sealAndPersist(BiFunction<StreamDescription, Map<ShardId, Long>, Future<Void>> persist, int attempt) {
        Map<ShardId, Long> lastOffsets = new HashMap<>();
        Map<ShardId, Long> epochs = new HashMap<>();
        Future<?> sealed = Future.all(plan.sealed().stream().map(id -> phase(id, "seal").onSuccess(m -> {
            Long last = m.body().getLong("lastOffset");
            if (last != null) {
                lastOffsets.put(id, last);
            }
            Long epoch = m.body().getLong("epoch");
            if (epoch != null) {
                epochs.put(id, epoch);
            }
        })).toList());
        return sealed.transform(ar -> {
            if (ar.failed()) {
                boolean leaderGone = Failures.toRiffle(ar.cause(), "A parent shard").code() == ErrorCode.SERVICE_UNAVAILABLE;
                return again(ar.cause(), leaderGone, persist, attempt);
            }
            // Closed once every parent answered: no record of a parent arrived after its close time, so a
            // parent whose close time is past the retention period holds no record any reader may get.
            return persist.apply(plan.withLastOffsets(lastOffsets, clock.millis()), epochs)
                    .recover(err -> again(err, err instanceof StreamHosting.LeaderMoved, persist, attempt));
        });
    }

    private Future<Void> again(Throwable err, boolean retryable, BiFunction<StreamDescription, Map<ShardId, Long>, Future<Void>> persist,
                               int attempt) {
        if (!retryable || attempt >= MAX_SEALS) {
            return Future.failedFuture(err);
        }
        LOG.warn("Resharding stream {}: {}; sealing the parents' leaders again", stream, err.getMessage());
        Promise<Void> waited = Promise.promise();
        vertx.setTimer(RESEAL_DELAY_MILLIS, t -> waited.complete());
        return waited.future().compose(v -> sealAndPersist(persist, attempt + 1));
    }

    private Future<Message<JsonObject>> phase(ShardId shard, String phase) {
        // Bounded: a parent whose replicas lost their majority never commits its last records; the reshard
        // then fails (and rolls back) instead of waiting for the event bus's 30 s.
        return vertx.eventBus().request(Addresses.shardSeal(stream, shard), new JsonObject().put("phase", phase),
                new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(PHASE_TIMEOUT_MILLIS));
    }

    private Future<Void> removeNewShardDirs() {
        return hosting.removeShards(streamDir, plan.created().stream().map(ShardDescription::shardId).toList());
    }
}
