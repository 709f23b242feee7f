package io.riffle.node;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.riffle.gateway.subscription.SubscriptionOptions;
import io.riffle.gateway.tcp.ConnectionLimit;
import io.riffle.gateway.tcp.GuardOptions;
import io.riffle.log.FsyncPolicy;
import io.riffle.log.LogConfig;
import io.riffle.security.SecurityOptions;
import io.riffle.shard.LogPools;
import io.riffle.stream.EngineConfig;
import io.riffle.stream.OnDemandSettings;
import io.riffle.throttle.ThroughputLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node's validated configuration. {@link #load} merges, in increasing precedence, the defaults
 * ({@code riffle.yaml} on the classpath, a copy of {@code config/riffle.yaml}), a {@code --config} file (or
 * {@code RIFFLE_CONFIG}), environment variables and command-line flags, then checks every value.
 */
public record NodeConfig(
        String host,
        int port,
        int gatewayInstances,
        int maxBodyBytes,
        int maxHeaderBytes,
        int maxInitialLineBytes,
        int idleTimeoutSeconds,
        int maxConnections,
        int headerReadTimeoutSeconds,
        int shutdownTimeoutSeconds,
        Path dataDir,
        FsyncPolicy fsync,
        long fsyncIntervalMillis,
        long segmentBytes,
        int logWriteThreads,
        int logReadThreads,
        ThroughputLimits limits,
        int maxShards,
        int maxConsumersPerStream,
        long streamTransitionMillis,
        long heartbeatMillis,
        long subscriberBufferBytes,
        String region,
        String accountId,
        boolean tls,
        int tlsPort,
        String tlsCertFile,
        String tlsKeyFile,
        SecurityOptions security,
        ClusterConfig cluster,
        OnDemandSettings onDemand,
        java.util.Optional<Path> keyringFile,
        io.riffle.cluster.ReplicaSettings replication) {

    private static final String DEFAULTS_RESOURCE = "/riffle.yaml";
    /**
     * Jackson's YAML parser without databind: building an {@code ObjectMapper} and its untyped deserializers
     * was a fifth of the node's start-up (RESULTS.md, #14 start-up); {@link #readYaml} makes the same values.
     */
    private static final YAMLFactory YAML = new YAMLFactory();

    /** The defaults alone. */
    public static NodeConfig defaults() {
        return load(new String[0], Map.of());
    }

    /**
     * Loads the configuration.
     *
     * @param args command-line arguments ({@code --help} is handled by the caller)
     * @param env  the environment, usually {@code System.getenv()}
     * @throws ConfigException naming the setting, value and source of the first problem
     */
    public static NodeConfig load(String[] args, Map<String, String> env) {
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        try (InputStream in = NodeConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new ConfigException("The defaults " + DEFAULTS_RESOURCE + " are missing from the classpath");
            }
            Object yaml = readYaml(YAML.createParser(in));
            if (!(yaml instanceof Map)) {
                throw new ConfigException("The defaults " + DEFAULTS_RESOURCE + " must be a YAML map of settings");
            }
            putYaml(values, (Map<?, ?>) yaml, "the defaults");
        } catch (IOException e) {
            throw new ConfigException("Cannot read the defaults " + DEFAULTS_RESOURCE + ": " + e.getMessage());
        }
        Map<Setting, Value> flags = parseFlags(args);
        String configFile = flagConfig(args);
        if (configFile == null) {
            configFile = env.get("RIFFLE_CONFIG");
        }
        if (configFile != null) {
            Path file = Path.of(configFile);
            try {
                Object yaml = readYaml(YAML.createParser(Files.readString(file)));
                if (yaml != null && !(yaml instanceof Map)) {
                    throw new ConfigException("Config file " + file + " must be a YAML map of settings");
                }
                putYaml(values, yaml == null ? Map.of() : (Map<?, ?>) yaml, "config file " + file);
            } catch (IOException e) {
                throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
            }
        }
        for (Setting s : Setting.values()) {
            String v = env.get(s.envVar());
            if (v != null) {
                values.put(s, new Value(v, "environment variable " + s.envVar()));
            }
        }
        values.putAll(flags);
        return fromValues(values);
    }

    record Value(String text, String source) {
    }

    /**
     * The document's first value as databind's {@code readValue(yaml, Object.class)} makes it at the top level:
     * an error when there is none, null for a null document; a map of the scalars Jackson types (Integer, Long, BigInteger, Double, Boolean, String,
     * null), a nested map or list standing as an empty one; a list or scalar root as an empty list. The whole
     * value is read first, so a syntax error anywhere in it is reported as before, ahead of any setting.
     */
    static Object readYaml(JsonParser p) throws IOException {
        try (p) {
            JsonToken root = p.nextToken();
            if (root == null) {
                // databind's words, and like databind an empty document is an error, not an empty map
                throw new JsonParseException(p, "No content to map due to end-of-input");
            }
            if (root == JsonToken.VALUE_NULL) {
                return null;
            }
            if (root != JsonToken.START_OBJECT) {
                p.skipChildren();
                return List.of();
            }
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                map.put(key, scalar(p, p.nextToken()));
            }
            return map;
        }
    }

    private static Object scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> {
                p.skipChildren();
                yield Map.of();
            }
            case START_ARRAY -> {
                p.skipChildren();
                yield List.of();
            }
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case VALUE_EMBEDDED_OBJECT -> p.getEmbeddedObject();
            default -> p.getText();
        };
    }

    private static void putYaml(Map<Setting, Value> values, Map<?, ?> yaml, String source) {
        for (Map.Entry<?, ?> e : yaml.entrySet()) {
            Setting s = Setting.byKey(String.valueOf(e.getKey()));
            if (s == null) {
                throw new ConfigException("Unknown setting '" + e.getKey() + "' in " + source);
            }
            if (e.getValue() instanceof Map || e.getValue() instanceof Iterable) {
                throw new ConfigException("Setting '" + s.key() + "' in " + source + " must be a single value");
            }
            values.put(s, new Value(e.getValue() == null ? "" : String.valueOf(e.getValue()), source));
        }
    }

    private static String flagConfig(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("Flag --config needs a file name");
                }
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return null;
    }

    private static Map<Setting, Value> parseFlags(String[] args) {
        Map<Setting, Value> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--config")) {
                i += value == null ? 1 : 0;
                continue;
            }
            Setting s = Setting.byFlag(name);
            if (s == null) {
                throw new ConfigException("Unknown argument '" + arg + "' (see --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new ConfigException("Flag " + name + " needs a value");
                }
                value = args[++i];
            }
            flags.put(s, new Value(value, "flag " + name));
        }
        return flags;
    }

    private static NodeConfig fromValues(Map<Setting, Value> v) {
        Parser p = new Parser(v);
        boolean throttling = p.bool(Setting.THROTTLING);
        ThroughputLimits limits = new ThroughputLimits(
                p.longIn(Setting.WRITE_BYTES_PER_SECOND, 0, Long.MAX_VALUE),
                p.longIn(Setting.WRITE_RECORDS_PER_SECOND, 0, Long.MAX_VALUE),
                p.longIn(Setting.READ_BYTES_PER_SECOND, 0, Long.MAX_VALUE),
                p.longIn(Setting.READ_CALLS_PER_SECOND, 0, Long.MAX_VALUE),
                p.longIn(Setting.CONSUMER_BYTES_PER_SECOND, 0, Long.MAX_VALUE));
        String host = p.text(Setting.HOST);
        if (host.isBlank()) {
            throw p.bad(Setting.HOST, "must be a host name or IP address");
        }
        String dataDir = p.text(Setting.DATA_DIR);
        if (dataDir.isBlank()) {
            throw p.bad(Setting.DATA_DIR, "must be a directory path");
        }
        return new NodeConfig(
                host,
                (int) p.longIn(Setting.PORT, 0, 65535),
                (int) p.longIn(Setting.GATEWAY_INSTANCES, 0, 1024),
                (int) p.longIn(Setting.MAX_BODY_BYTES, 1024, Integer.MAX_VALUE),
                (int) p.longIn(Setting.MAX_HEADER_BYTES, 1024, 1 << 20),
                (int) p.longIn(Setting.MAX_INITIAL_LINE_BYTES, 256, 1 << 20),
                (int) p.longIn(Setting.IDLE_TIMEOUT_SECONDS, 0, 86_400),
                p.maxConnections(ConnectionLimit.fileDescriptorLimit()),
                (int) p.longIn(Setting.HEADER_READ_TIMEOUT_SECONDS, 1, 3600),
                (int) p.longIn(Setting.SHUTDOWN_TIMEOUT_SECONDS, 0, 3600),
                Path.of(dataDir),
                p.fsync(),
                p.longIn(Setting.FSYNC_INTERVAL_MILLIS, 1, 3_600_000),
                p.longIn(Setting.SEGMENT_BYTES, 4096, 1L << 40),
                (int) p.longIn(Setting.LOG_WRITE_THREADS, 0, 1024),
                (int) p.longIn(Setting.LOG_READ_THREADS, 0, 1024),
                throttling ? limits : ThroughputLimits.OFF,
                (int) p.longIn(Setting.MAX_SHARDS, 1, 1_000_000),
                (int) p.longIn(Setting.MAX_CONSUMERS_PER_STREAM, 1, 100_000),
                p.longIn(Setting.STREAM_TRANSITION_MILLIS, 0, EngineConfig.MAX_TRANSITION_MILLIS),
                p.longIn(Setting.HEARTBEAT_MILLIS, 10, 5000),
                p.longIn(Setting.SUBSCRIBER_BUFFER_BYTES, 0, 1L << 32),
                p.matching(Setting.REGION, "[a-z0-9-]{1,32}", "must be a region name such as us-east-1"),
                p.matching(Setting.ACCOUNT_ID, "\\d{12}", "must be exactly 12 digits"),
                p.bool(Setting.TLS),
                (int) p.longIn(Setting.TLS_PORT, 0, 65535),
                p.pemFile(Setting.TLS_CERT_FILE, Setting.TLS_KEY_FILE),
                p.pemFile(Setting.TLS_KEY_FILE, Setting.TLS_CERT_FILE),
                SecuritySettings.parse(p),
                ClusterConfig.parse(p),
                p.onDemand(),
                p.keyringFile(),
                p.replication());
    }

    /** Reads typed values, failing with a message naming the setting, the value and its source. */
    record Parser(Map<Setting, Value> values) {
        java.util.Optional<Path> keyringFile() {
            String file = text(Setting.KEYRING_FILE);
            if (!file.isEmpty() && !java.nio.file.Files.isReadable(Path.of(file))) {
                throw bad(Setting.KEYRING_FILE, "must be a readable JSON keyring file");
            }
            return file.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(file));
        }

        io.riffle.cluster.ReplicaSettings replication() {
            String zone = matching(Setting.ZONE, "[A-Za-z0-9._-]{0,64}", "must be up to 64 letters, digits, '.', '_' or '-'");
            return new io.riffle.cluster.ReplicaSettings(zone, (int) longIn(Setting.REPLICA_REPAIR_SECONDS,
                    io.riffle.cluster.ReplicaSettings.MIN_REPAIR_SECONDS, io.riffle.cluster.ReplicaSettings.MAX_REPAIR_SECONDS),
                    longIn(Setting.REPLICA_CATCH_UP_BYTES_PER_SECOND, 0, io.riffle.cluster.ReplicaSettings.MAX_CATCH_UP_BYTES_PER_SECOND));
        }

        OnDemandSettings onDemand() {
            int up = (int) longIn(Setting.ON_DEMAND_SCALE_UP_PERCENT, 1, 100);
            return new OnDemandSettings(up, (int) longIn(Setting.ON_DEMAND_SCALE_DOWN_PERCENT, 0, up - 1),
                    longIn(Setting.ON_DEMAND_WINDOW_MILLIS, 100, 3_600_000),
                    longIn(Setting.ON_DEMAND_COOL_DOWN_MILLIS, 0, 86_400_000),
                    longIn(Setting.ON_DEMAND_SCALE_DOWN_AFTER_MILLIS, 0, 30L * 86_400_000), 4);
        }

        Value value(Setting s) {
            Value v = values.get(s);
            if (v == null) {
                throw new ConfigException("Setting '" + s.key() + "' has no value (the defaults must define it)");
            }
            return v;
        }

        ConfigException bad(Setting s, String rule) {
            Value v = value(s);
            return new ConfigException("Invalid setting '" + s.key() + "' = '" + v.text() + "' (from " + v.source()
                    + "): " + rule);
        }

        String text(Setting s) {
            return value(s).text().trim();
        }

        long longIn(Setting s, long min, long max) {
            try {
                long n = Long.parseLong(text(s));
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw bad(s, "must be an integer from " + min + " to " + max);
        }

        String matching(Setting s, String regex, String rule) {
            String v = text(s);
            if (!v.matches(regex)) {
                throw bad(s, rule);
            }
            return v;
        }

        /** A readable PEM file, or empty; given only together with its {@code partner} (cert and key). */
        String pemFile(Setting s, Setting partner) {
            String file = text(s);
            if (file.isEmpty() != text(partner).isEmpty()) {
                throw bad(s, "must be given together with " + partner.key() + " (or both left empty for a self-signed certificate)");
            }
            if (!file.isEmpty() && !java.nio.file.Files.isReadable(Path.of(file))) {
                throw bad(s, "must be a readable PEM file");
            }
            return file;
        }

        /** A readable file, else {@code why}. */
        String readableFile(Setting s, String why) {
            String file = text(s);
            if (file.isEmpty() || !java.nio.file.Files.isReadable(Path.of(file))) {
                throw bad(s, why);
            }
            return file;
        }

        /** 0 picks the default; an explicit value must leave the file descriptors logs need. */
        int maxConnections(long fdLimit) {
            long most = Math.max(1, Math.min(1_000_000, ConnectionLimit.mostFor(fdLimit)));
            long n = longIn(Setting.MAX_CONNECTIONS, 0, most);
            return n == 0 ? ConnectionLimit.defaultFor(fdLimit) : (int) n;
        }

        boolean bool(Setting s) {
            return switch (text(s).toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw bad(s, "must be true or false");
            };
        }

        FsyncPolicy fsync() {
            try {
                return FsyncPolicy.valueOf(text(Setting.FSYNC).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw bad(Setting.FSYNC, "must be PER_BATCH or INTERVAL");
            }
        }
    }

    /** The gateway verticle count: the setting, or one per core when it is 0. */
    public int effectiveGatewayInstances() {
        return gatewayInstances > 0 ? gatewayInstances : Runtime.getRuntime().availableProcessors();
    }

    /** The engine's configuration, recording its meters into {@code metrics}, with no master keys. */
    public EngineConfig engineConfig(MeterRegistry metrics) {
        return engineConfig(metrics, io.riffle.log.crypto.Keyring::empty);
    }

    /**
     * Reads the keyring file, if one is set (at start: an invalid file stops the node).
     *
     * @throws ConfigException naming the file and its problem
     */
    public java.util.Optional<io.riffle.log.crypto.KeyringFile> openKeyring() {
        if (keyringFile.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new io.riffle.log.crypto.KeyringFile(keyringFile.get()));
        } catch (java.io.IOException e) {
            throw new ConfigException("Invalid setting 'keyringFile' = '" + keyringFile.get() + "': " + e.getMessage());
        }
    }

    /** The engine's configuration, recording its meters into {@code metrics}, its master keys from {@code keyring}. */
    public EngineConfig engineConfig(MeterRegistry metrics, java.util.function.Supplier<io.riffle.log.crypto.Keyring> keyring) {
        LogConfig d = LogConfig.defaults();
        LogConfig log = new LogConfig(segmentBytes, d.segmentMaxAgeMillis(), d.indexIntervalBytes(), fsync,
                fsyncIntervalMillis, d.retentionMillis());
        return new EngineConfig(dataDir, log, limits, maxShards, maxConsumersPerStream, Clock.systemUTC(), metrics,
                LogPools.of(logWriteThreads, logReadThreads), streamTransitionMillis, onDemand, keyring);
    }

    /** What the node's transport enforces on every accepted connection, counting them in {@code limit}. */
    public GuardOptions guardOptions(ConnectionLimit limit) {
        return new GuardOptions(limit, TimeUnit.SECONDS.toMillis(headerReadTimeoutSeconds), maxInitialLineBytes,
                maxHeaderBytes);
    }

    /** Options of every push subscription on this node. */
    public SubscriptionOptions subscriptionOptions(Clock clock) {
        SubscriptionOptions d = SubscriptionOptions.defaults();
        return new SubscriptionOptions(limits.consumerBytesPerSecond(), heartbeatMillis, d.maxBatchRecords(),
                d.maxBatchBytes(), subscriberBufferBytes, 0, clock);
    }
}
