#!/usr/bin/env bash
# Kafka 4.4.0, one KRaft broker+controller on 127.0.0.1 with temp dirs; jars from Maven Central via
# Maven (no tarball). Runs Kafka's own ProducerPerformance (acks=1, 100 B and 1 KiB records, a topic
# with PARTITIONS partitions) and EndToEndLatency (one record at a time, acks=1), then stops the broker.
# Prints "RESULT peer=kafka ..." lines. Kafka's default does not fsync per write (flush.messages is
# unlimited); the OS page cache holds acknowledged records.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PARTITIONS="${PARTITIONS:-2}"
RECORDS_100="${KAFKA_RECORDS_100:-5000000}"
RECORDS_1K="${KAFKA_RECORDS_1K:-1500000}"
E2E_RECORDS="${KAFKA_E2E_RECORDS:-10000}"
LIBS="$CACHE_DIR/kafka-libs"

if [ ! -f "$LIBS/kafka_2.13-4.4.0.jar" ] || [ ! -f "$LIBS/kafka-tools-4.4.0.jar" ]; then
  echo "fetching Kafka 4.4.0 jars with Maven into $LIBS"
  mvn -B -q -f "$PEERS_DIR/kafka-pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$LIBS"
fi
CP="$LIBS/*"

new_temp_dir WORK
PORT="$(free_port)"
CONTROLLER_PORT="$(free_port)"
cat >"$WORK/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$WORK/logs
num.partitions=$PARTITIONS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
cat >"$WORK/log4j2.properties" <<'PROPS'
rootLogger.level=WARN
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
PROPS
JAVA_OPTS=(-Dlog4j2.configurationFile="$WORK/log4j2.properties")

CLUSTER_ID="$(java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool random-uuid | tail -1)"
java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$WORK/server.properties" >"$WORK/format.log" 2>&1

start_bg "$WORK/broker.log" java -Xms1g -Xmx1g "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$WORK/server.properties"
BROKER_PID=$LAST_PID
wait_port "$PORT" 60
echo "kafka 4.4.0 broker pid $BROKER_PID on 127.0.0.1:$PORT, data in $WORK/logs"

topic() {
  java "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" \
    --create --topic "$1" --partitions "$PARTITIONS" --replication-factor 1 >/dev/null
}

# perf SIZE RECORDS: ProducerPerformance on a new topic. Kafka's test counts its whole run (its own warm-up
# included) in records_per_s; its 5 s progress lines give the cold figure (the first COLD seconds, to the
# nearest progress line) and the warm one (the rest). CPU is the broker's, over the whole producer run.
perf() {
  local topic="perf-$1"
  topic "$topic"
  local all out cpu0 cpu1
  cpu0="$(cpu_seconds "$BROKER_PID")"
  all="$(timeout 300 java -Xmx1g "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.ProducerPerformance \
    --topic "$topic" --num-records "$2" --record-size "$1" --throughput -1 \
    --producer-props bootstrap.servers="127.0.0.1:$PORT" acks=1)"
  cpu1="$(cpu_seconds "$BROKER_PID")"
  out="$(tail -1 <<<"$all")"
  echo "kafka ProducerPerformance ($1 B, acks=1): $out"
  # "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, ..."
  local rate mbs split
  rate="$(sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' <<<"$out")"
  mbs="$(sed -n 's/.*records\/sec (\([0-9.]*\) MB\/sec).*/\1/p' <<<"$out")"
  # progress lines: every line but the last; each covers n records at r records/s, so n/r seconds
  split="$(grep ' records sent, ' <<<"$all" | sed '$d' | sed -n 's/^\([0-9]*\) records sent, \([0-9.]*\) records\/sec.*/\1 \2/p' |
    awk -v cold="$COLD" -v total="${out%% records sent*}" -v rate="$rate" '
      $2 > 0 { if (t < cold) { n += $1; t += $1 / $2 } }
      END {
        # -1: the run was too short for that window (summarize.py shows n/a)
        cr = t > 0 ? n / t : -1; rest = total / rate - t
        wr = rest > 0.5 ? (total - n) / rest : -1
        printf "cold_records_per_s=%.0f cold_seconds=%.1f warm_records_per_s=%.0f", cr, t, wr }')"
  local secs
  secs="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')"
  echo "RESULT peer=kafka scenario=ingest record_size=$1 records_per_s=${rate%.*} mb_per_s=$mbs acks=1 partitions=$PARTITIONS $split broker_cpu_s=$secs cpu_s_per_m_records=$(awk -v s="$secs" -v n="$2" 'BEGIN { printf "%.2f", s / (n / 1e6) }')"
}

perf 100 "$RECORDS_100"
perf 1024 "$RECORDS_1K"

topic e2e
E2E="$(timeout 300 java -Xmx512m "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.EndToEndLatency \
  "127.0.0.1:$PORT" e2e "$E2E_RECORDS" 1 100 2>&1 | tail -3)"
echo "kafka EndToEndLatency (100 B, acks=1, one record at a time):"
echo "$E2E"
P50="$(sed -n 's/.*Percentiles: 50th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
P99="$(sed -n 's/.*99th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
P999="$(sed -n 's/.*99.9th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
echo "RESULT peer=kafka scenario=e2e record_size=100 p50_ms=$P50 p99_ms=$P99 p999_ms=$P999 mode=closed-loop"

stop_pid "$BROKER_PID"
