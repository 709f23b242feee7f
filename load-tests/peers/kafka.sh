#!/usr/bin/env bash
# Kafka 4.4.0 on 127.0.0.1 with temp dirs; jars from Maven Central via Maven (no tarball). Two modes:
#   BROKERS=1 (default): one KRaft broker+controller, topics of replication factor 1, producers acks=1;
#   BROKERS=3: three KRaft brokers, each also a controller (a 3-voter quorum), topics of replication
#     factor 3 with min.insync.replicas=2, producers acks=all (a record is acknowledged once every in-sync
#     replica has it): what 3 Riffle nodes with replication factor 3 compare with (issue #10).
# Runs Kafka's own ProducerPerformance (100 B and 1 KiB records, as fast as it goes, a topic with PARTITIONS
# partitions: 2, or 6 with 3 brokers), ProducerPerformance at a fixed PUT_RATE records/s of 100 B (per-record send-to-ack latency,
# as a put's) and EndToEndLatency (one record at a time), then stops the brokers. Prints
# "RESULT peer=kafka ..." lines (peer=kafka3 with 3 brokers). Kafka's default does not fsync per write
# (flush.messages is unlimited); the OS page cache holds acknowledged records (of every replica).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

BROKERS="${BROKERS:-1}"
# 2 partitions on one broker; 6 on three, so each broker leads 2 (as 3 Riffle nodes hold 2 of 6 shards each)
PARTITIONS="${PARTITIONS:-$((BROKERS == 3 ? 6 : 2))}"
RECORDS_100="${KAFKA_RECORDS_100:-5000000}"
RECORDS_1K="${KAFKA_RECORDS_1K:-1500000}"
E2E_RECORDS="${KAFKA_E2E_RECORDS:-10000}"
PUT_RATE="${PUT_RATE:-1000}"
PUT_RECORDS="${KAFKA_PUT_RECORDS:-30000}"
LIBS="$CACHE_DIR/kafka-libs"
case "$BROKERS" in
  1) PEER=kafka; ACKS=1; RF=1; MIN_ISR=1 ;;
  3) PEER=kafka3; ACKS=all; RF=3; MIN_ISR=2 ;;
  *) echo "BROKERS must be 1 or 3, not $BROKERS" >&2; exit 2 ;;
esac

if [ ! -f "$LIBS/kafka_2.13-4.4.0.jar" ] || [ ! -f "$LIBS/kafka-tools-4.4.0.jar" ]; then
  echo "fetching Kafka 4.4.0 jars with Maven into $LIBS"
  mvn -B -q -f "$PEERS_DIR/kafka-pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DoutputDirectory="$LIBS"
fi
CP="$LIBS/*"

new_temp_dir WORK
PORTS=(); CONTROLLER_PORTS=(); VOTERS=()
for i in $(seq 1 "$BROKERS"); do
  PORTS+=("$(free_port)"); CONTROLLER_PORTS+=("$(free_port)")
  VOTERS+=("$i@127.0.0.1:${CONTROLLER_PORTS[$((i - 1))]}")
done
VOTERS="$(IFS=,; echo "${VOTERS[*]}")"
BOOTSTRAP="$(printf '127.0.0.1:%s,' "${PORTS[@]}")"; BOOTSTRAP="${BOOTSTRAP%,}"
for i in $(seq 1 "$BROKERS"); do
  port="${PORTS[$((i - 1))]}"; cport="${CONTROLLER_PORTS[$((i - 1))]}"
  cat >"$WORK/server-$i.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$VOTERS
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$WORK/logs-$i
num.partitions=$PARTITIONS
default.replication.factor=$RF
min.insync.replicas=$MIN_ISR
offsets.topic.replication.factor=$RF
transaction.state.log.replication.factor=$RF
transaction.state.log.min.isr=$MIN_ISR
share.coordinator.state.topic.replication.factor=$RF
share.coordinator.state.topic.min.isr=$MIN_ISR
group.initial.rebalance.delay.ms=0
PROPS
done
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
BROKER_PIDS=()
for i in $(seq 1 "$BROKERS"); do
  java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$WORK/server-$i.properties" \
    >"$WORK/format-$i.log" 2>&1
  start_bg "$WORK/broker-$i.log" java -Xms1g -Xmx1g "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$WORK/server-$i.properties"
  BROKER_PIDS+=("$LAST_PID")
done
for port in "${PORTS[@]}"; do wait_port "$port" 60; done
echo "kafka 4.4.0: $BROKERS broker(s), pids ${BROKER_PIDS[*]}, on $BOOTSTRAP, replication factor $RF, min.insync.replicas $MIN_ISR, acks=$ACKS, data in $WORK"

# brokers_cpu: the CPU seconds of every broker together
brokers_cpu() {
  local total=0 pid
  for pid in "${BROKER_PIDS[@]}"; do total="$(awk -v a="$total" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", a + b }')"; done
  echo "$total"
}

topic() {
  java "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --create --topic "$1" --partitions "$PARTITIONS" --replication-factor "$RF" --config min.insync.replicas="$MIN_ISR" >/dev/null
}

# perf SIZE RECORDS: ProducerPerformance on a new topic. Kafka's test counts its whole run (its own warm-up
# included) in records_per_s; its 5 s progress lines give the cold figure (the first COLD seconds, to the
# nearest progress line) and the warm one (the rest). CPU is the brokers', over the whole producer run.
perf() {
  local topic="perf-$1"
  topic "$topic"
  local all out cpu0 cpu1
  cpu0="$(brokers_cpu)"
  all="$(timeout 300 java -Xmx1g "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.ProducerPerformance \
    --topic "$topic" --num-records "$2" --record-size "$1" --throughput -1 \
    --producer-props bootstrap.servers="$BOOTSTRAP" acks="$ACKS")"
  cpu1="$(brokers_cpu)"
  out="$(tail -1 <<<"$all")"
  echo "kafka ProducerPerformance ($1 B, $BROKERS broker(s), acks=$ACKS): $out"
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
  echo "RESULT peer=$PEER scenario=ingest record_size=$1 records_per_s=${rate%.*} mb_per_s=$mbs acks=$ACKS brokers=$BROKERS replication_factor=$RF partitions=$PARTITIONS $split broker_cpu_s=$secs cpu_s_per_m_records=$(awk -v s="$secs" -v n="$2" 'BEGIN { printf "%.2f", s / (n / 1e6) }')"
}

perf 100 "$RECORDS_100"
perf 1024 "$RECORDS_1K"

# Put latency: ProducerPerformance at a fixed rate; its percentiles are per record, send to acknowledgement
# (the producer's own batching, linger.ms=5 by default in Kafka 4, included).
topic put
PUT="$(timeout 300 java -Xmx512m "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.ProducerPerformance \
  --topic put --num-records "$PUT_RECORDS" --record-size 100 --throughput "$PUT_RATE" \
  --producer-props bootstrap.servers="$BOOTSTRAP" acks="$ACKS" | tail -1)"
echo "kafka ProducerPerformance at $PUT_RATE records/s (100 B, acks=$ACKS): $PUT"
echo "RESULT peer=$PEER scenario=put record_size=100 rate=$PUT_RATE acks=$ACKS brokers=$BROKERS p50_ms=$(sed -n 's/.* \([0-9.]*\) ms 50th.*/\1/p' <<<"$PUT") p99_ms=$(sed -n 's/.* \([0-9.]*\) ms 99th.*/\1/p' <<<"$PUT") p999_ms=$(sed -n 's/.* \([0-9.]*\) ms 99.9th.*/\1/p' <<<"$PUT")"

topic e2e
E2E="$(timeout 300 java -Xmx512m "${JAVA_OPTS[@]}" -cp "$CP" org.apache.kafka.tools.EndToEndLatency \
  "$BOOTSTRAP" e2e "$E2E_RECORDS" "$ACKS" 100 2>&1 | tail -3)"
echo "kafka EndToEndLatency (100 B, acks=$ACKS, one record at a time):"
echo "$E2E"
P50="$(sed -n 's/.*Percentiles: 50th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
P99="$(sed -n 's/.*99th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
P999="$(sed -n 's/.*99.9th = \([0-9.]*\).*/\1/p' <<<"$E2E")"
echo "RESULT peer=$PEER scenario=e2e record_size=100 p50_ms=$P50 p99_ms=$P99 p999_ms=$P999 mode=closed-loop acks=$ACKS brokers=$BROKERS"

# All at once: a controller stopped last would wait in vain for a quorum the others took away.
for pid in "${BROKER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${BROKER_PIDS[@]}"; do stop_pid "$pid"; done
