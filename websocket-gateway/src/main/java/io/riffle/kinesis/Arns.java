package io.riffle.kinesis;

import io.riffle.error.RiffleException;
import io.riffle.model.ConsumerDescription;
import io.riffle.model.ConsumerName;
import io.riffle.model.Constraints;
import io.riffle.model.StreamName;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stream and consumer ARNs in this node's region and account, and how requests address a stream: by
 * {@code StreamName}, by {@code StreamARN}, or by both when they agree.
 */
public final class Arns {
    private static final Pattern STREAM_ARN_PARTS = Pattern.compile("arn:[^:]+:kinesis:([^:]*):(\\d{12}):stream/(.+)");
    private static final Pattern CONSUMER_ARN_PARTS = Pattern.compile(
            "arn:[^:]+:kinesis:([^:]*):(\\d{12}):stream/([a-zA-Z0-9_.-]+)/consumer/([a-zA-Z0-9_.-]+):([0-9]+)");

    /** A parsed consumer ARN; {@code createdSeconds} tells a re-registered consumer from an old one. */
    public record ConsumerRef(StreamName stream, ConsumerName consumer, long createdSeconds) {
    }

    private final String region;
    private final String accountId;

    public Arns(KinesisSettings settings) {
        this.region = settings.region();
        this.accountId = settings.accountId();
    }

    /** The account ARNs name, as Kinesis messages name it too. */
    public String accountId() {
        return accountId;
    }

    public String stream(StreamName name) {
        return "arn:aws:kinesis:" + region + ":" + accountId + ":stream/" + name.value();
    }

    public String consumer(StreamName stream, ConsumerDescription consumer) {
        return stream(stream) + "/consumer/" + consumer.name().value() + ":" + consumer.createdMillis() / 1000;
    }

    /** Parses a stream ARN of this node; another region or account names no stream Riffle has. */
    public StreamName parseStream(String field, String arn) {
        Constraints.STREAM_ARN.at(field).require(arn);
        Matcher m = STREAM_ARN_PARTS.matcher(arn);
        if (!m.matches()) {
            throw RiffleException.invalidArgument("Invalid StreamARN " + arn);
        }
        StreamName name = StreamName.of(m.group(3));
        requireOurs(m.group(1), m.group(2), "Stream " + name);
        return name;
    }

    public ConsumerRef parseConsumer(String field, String arn) {
        Constraints.CONSUMER_ARN.at(field).require(arn);
        Matcher m = CONSUMER_ARN_PARTS.matcher(arn);
        if (!m.matches()) {
            throw RiffleException.invalidArgument("Invalid ConsumerARN " + arn);
        }
        requireOurs(m.group(1), m.group(2), "Consumer " + arn);
        long created;
        try {
            created = Long.parseLong(m.group(5));
        } catch (NumberFormatException e) {
            throw RiffleException.notFound("Consumer " + arn + " not found.");
        }
        return new ConsumerRef(StreamName.of(m.group(3)), ConsumerName.of(m.group(4)), created);
    }

    /**
     * The stream a request addresses with {@code StreamName} and/or {@code StreamARN}: at least one must be
     * given, and both must name the same stream.
     */
    public StreamName streamOf(KinesisRequest request) {
        Optional<String> name = request.member("StreamName").string();
        Optional<String> arn = request.member("StreamARN").string();
        Optional<StreamName> byName = name.map(StreamName::of);
        Optional<StreamName> byArn = arn.map(a -> parseStream("streamARN", a));
        if (byName.isPresent() && byArn.isPresent() && !byName.get().equals(byArn.get())) {
            throw RiffleException.invalidArgument("StreamName " + byName.get() + " and StreamARN " + arn.get()
                    + " name different streams.");
        }
        return byName.or(() -> byArn).orElseThrow(
                () -> RiffleException.invalidArgument("Either StreamName or StreamARN should be provided."));
    }

    /** The stream a request addresses with a required {@code StreamARN} (the consumer operations). */
    public StreamName streamArnOf(KinesisRequest request) {
        return parseStream("streamARN", request.member("StreamARN").requiredString());
    }

    private void requireOurs(String arnRegion, String arnAccount, String what) {
        if (!region.equals(arnRegion) || !accountId.equals(arnAccount)) {
            throw RiffleException.notFound(what + " under account " + arnAccount + " in region " + arnRegion + " not found.");
        }
    }
}
