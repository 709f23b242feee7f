package io.riffle.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/** A SubscribeToShard through the AWS SDK's async client, collecting what it receives. */
public final class SdkSubscription {
    public final List<Record> received = new CopyOnWriteArrayList<>();
    final List<String> continuations = new CopyOnWriteArrayList<>();
    /** The ChildShards of every event that had any (the last one, at the end of a closed shard). */
    final List<software.amazon.awssdk.services.kinesis.model.ChildShard> childShards = new CopyOnWriteArrayList<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private CompletableFuture<Void> done;

    /** Subscribes and waits for the initial response. */
    public static SdkSubscription open(KinesisAsyncClient async, String consumerArn, String shardId, ShardIteratorType type)
            throws Exception {
        SdkSubscription s = new SdkSubscription();
        SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
                .onResponse(r -> s.started.complete(null))
                .onError(s.errors::add)
                .onEventStream(p -> p.subscribe(new Subscriber<SubscribeToShardEventStream>() {
                    @Override
                    public void onSubscribe(Subscription sub) {
                        s.subscription.set(sub);
                        sub.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(SubscribeToShardEventStream event) {
                        if (event instanceof SubscribeToShardEvent e) {
                            s.received.addAll(e.records());
                            s.continuations.add(e.continuationSequenceNumber());
                            s.childShards.addAll(e.childShards());
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        s.errors.add(t);
                    }

                    @Override
                    public void onComplete() {
                    }
                }))
                .build();
        s.done = async.subscribeToShard(b -> b.consumerARN(consumerArn).shardId(shardId)
                .startingPosition(p -> p.type(type)), handler);
        s.started.get(10, TimeUnit.SECONDS);
        return s;
    }

    /** Waits until {@code size} records arrived (at most 15 s) and asserts exactly that many did. */
    void awaitRecords(int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (received.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received).hasSize(size);
    }

    /** Waits (at most 15 s) for the server to end the subscription; fails if it does not, or ends it in error. */
    void awaitCompletedByServer() throws Exception {
        done.get(15, TimeUnit.SECONDS);
    }

    /** Cancels and waits for the call to finish, however it ends. */
    public void cancel() throws Exception {
        subscription.get().cancel();
        done.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
    }
}
