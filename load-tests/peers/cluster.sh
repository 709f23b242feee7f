#!/usr/bin/env bash
# One node against three clustered nodes on this machine, in one run (issue #9's benchmark).
#   1. start time to healthy: standalone, and the third node of a cluster of three;
#   2. aggregate ingest (100 B records, fsync per batch): one standalone node with one load generator,
#      then three clustered nodes with one generator per node at once (each its own stream, whose shards
#      are spread over the three nodes, so about 2 of 3 puts go to a shard on another node);
#   3. putAll call latency at a fixed 1,000 records/s, batches of 10: standalone (every shard local) and
#      through one clustered node (2 of 3 shards remote).
# Builds nothing: run `mvn -B -DskipTests package` first.
#
# usage: DURATION=10 WARMUP=5 load-tests/peers/cluster.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NODE_JAR="$REPO_DIR/websocket-gateway/target/riffle.jar"
LOAD_JAR="$REPO_DIR/load-tests/target/riffle-load.jar"
for j in "$NODE_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: run mvn -B -DskipTests package first" >&2; exit 1; }
done

# node LOG PORT DATA [FLAGS...]: starts a node in the background, sets LAST_PID
node() {
  local log="$1" port="$2" data="$3"; shift 3
  start_bg "$log" java -Xmx1g -XX:+UseParallelGC -jar "$NODE_JAR" --host 127.0.0.1 --port "$port" \
    --data-dir "$data" --fsync PER_BATCH --throttling false "$@"
}

# millis_to_healthy PORT: waits for /health, prints the milliseconds it took from now
millis_to_healthy() {
  local start; start=$(date +%s%N)
  wait_healthy "$1" 120
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# load PORT LABEL ARGS...: one generator run, prints its RESULT line
load() {
  local port="$1" label="$2"; shift 2
  timeout $((DURATION + WARMUP + 180)) java -Xmx1g -XX:+UseParallelGC -jar "$LOAD_JAR" --port "$port" \
    --duration "$DURATION" --warmup "$WARMUP" --cold 0 --label "$label" "$@" 2>&1 | grep '^RESULT' || true
}

INGEST=(--scenario ingest --record-size 100 --producers 2 --shards 6)
LATENCY=(--scenario ingest --record-size 100 --producers 1 --shards 3 --rate 1000 --batch 10 --window 1)

echo "== standalone"
new_temp_dir D
P=$(free_port)
START_MS=$(date +%s%N)
node "$D/node.log" "$P" "$D/data"
STANDALONE_PID=$LAST_PID
wait_healthy "$P" 120
echo "start_to_healthy_ms standalone=$(( ($(date +%s%N) - START_MS) / 1000000 ))"
load "$P" standalone-ingest "${INGEST[@]}"
load "$P" standalone-latency "${LATENCY[@]}"
stop_pid "$STANDALONE_PID"

echo "== three clustered nodes"
new_temp_dir C
CP=(); HP=()
for i in 0 1 2; do CP+=("$(free_port)"); HP+=("$(free_port)"); done
MEMBERS="127.0.0.1:${CP[0]},127.0.0.1:${CP[1]},127.0.0.1:${CP[2]}"
for i in 0 1 2; do
  START_MS=$(date +%s%N)
  node "$C/node$i.log" "${HP[$i]}" "$C/data$i" --cluster true --cluster-name bench \
    --cluster-port "${CP[$i]}" --cluster-members "$MEMBERS" --event-bus-host 127.0.0.1
done
for i in 0 1 2; do wait_healthy "${HP[$i]}" 120; done
echo "start_to_healthy_ms clustered_third_node=$(( ($(date +%s%N) - START_MS) / 1000000 ))"
# The catalog takes changes once Raft has its three members and a leader.
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${HP[0]}/v1/streams")" = 200 ] && break
  sleep 0.1
done
LOADS=()
for i in 0 1 2; do
  load "${HP[$i]}" "cluster-ingest-via-node$i" "${INGEST[@]}" > "$C/result$i" &
  LOADS+=($!)
  sleep 0.2   # the generator names its stream after the millisecond it started
done
wait "${LOADS[@]}"
cat "$C/result0" "$C/result1" "$C/result2"
load "${HP[0]}" cluster-latency "${LATENCY[@]}"
