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
#   RECORD_SIZE=1024: record bytes of both loads (100); STANDALONE=0: only the cluster;
#   FSYNC=INTERVAL: the nodes' fsync policy (PER_BATCH; INTERVAL is what Kafka does by default: no fsync per write);
#   NODE_JAR=..., LOAD_JAR=...: other builds (e.g. copies of main's, to compare before and after a change);
#   NODE_JAVA_OPTS=...: more JVM options for every node, "%i" in them replaced by the clustered node's index
#   (e.g. -XX:StartFlightRecording=duration=30s,filename=/tmp/node%i.jfr,settings=profile); CLUSTER_LOG_DIR=...:
#   where the clustered nodes' logs are kept (else removed at exit with the data); PROFILE_DIR=...: over the
#   cluster ingest's measured window, a JFR recording (settings=profile) of each node
#   (PROFILE_DIR/ingest-node<i>.jfr), each node's CPU ticks per thread at its start and end
#   (threads-node<i>-{start,end}.txt: ticks, tid, name) and its /metrics at the end (metrics-node<i>.txt).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NODE_JAR="${NODE_JAR:-$REPO_DIR/websocket-gateway/target/riffle.jar}"
LOAD_JAR="${LOAD_JAR:-$REPO_DIR/load-tests/target/riffle-load.jar}"
RECORD_SIZE="${RECORD_SIZE:-100}"
for j in "$NODE_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: run mvn -B -DskipTests package first" >&2; exit 1; }
done

# node INDEX LOG PORT DATA [FLAGS...]: starts a node in the background, sets LAST_PID
node() {
  local index="$1" log="$2" port="$3" data="$4"; shift 4
  local opts=()
  # shellcheck disable=SC2206 # NODE_JAVA_OPTS is a list of options, split on spaces
  [ -z "${NODE_JAVA_OPTS:-}" ] || opts=(${NODE_JAVA_OPTS//%i/$index})
  start_bg "$log" java -Xmx1g -XX:+UseParallelGC "${opts[@]}" -jar "$NODE_JAR" --host 127.0.0.1 --port "$port" \
    --data-dir "$data" --fsync "${FSYNC:-PER_BATCH}" --throttling false "$@"
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

INGEST=(--scenario ingest --record-size "$RECORD_SIZE" --producers 2 --shards 6)
LATENCY=(--scenario ingest --record-size "$RECORD_SIZE" --producers 1 --shards 3 --rate 1000 --batch 10 --window 1)

if [ "${STANDALONE:-1}" = 1 ]; then
echo "== standalone"
new_temp_dir D
P=$(free_port)
START_MS=$(date +%s%N)
node s "$D/node.log" "$P" "$D/data"
STANDALONE_PID=$LAST_PID
wait_healthy "$P" 120
echo "start_to_healthy_ms standalone=$(( ($(date +%s%N) - START_MS) / 1000000 ))"
load "$P" standalone-ingest "${INGEST[@]}"
load "$P" standalone-latency "${LATENCY[@]}"
stop_pid "$STANDALONE_PID"
fi

echo "== three clustered nodes"
new_temp_dir C
CP=(); HP=(); NODE_PIDS=()
for i in 0 1 2; do CP+=("$(free_port)"); HP+=("$(free_port)"); done
MEMBERS="127.0.0.1:${CP[0]},127.0.0.1:${CP[1]},127.0.0.1:${CP[2]}"
for i in 0 1 2; do
  START_MS=$(date +%s%N)
  node "$i" "${CLUSTER_LOG_DIR:-$C}/node$i.log" "${HP[$i]}" "$C/data$i" --cluster true --cluster-name bench \
    --cluster-port "${CP[$i]}" --cluster-members "$MEMBERS" --event-bus-host 127.0.0.1
  NODE_PIDS+=("$LAST_PID")
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
  # Each generator measures its node's CPU over the window: their sum over all records is the cluster's cost per record.
  load "${HP[$i]}" "cluster-ingest-via-node$i" "${INGEST[@]}" --node-pid "${NODE_PIDS[$i]}" > "$C/result$i" &
  LOADS+=($!)
  sleep 0.2   # the generator names its stream after the millisecond it started
done
# thread_ticks PID: utime+stime (clock ticks), tid and name of each of the process's threads
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" -v name="$(cat "$t/comm" 2>/dev/null)" '{ sub(/^.*\) /, ""); print $12 + $13, tid, name }' "$t/stat" 2>/dev/null || true
  done
}
if [ -n "${PROFILE_DIR:-}" ]; then
  mkdir -p "$PROFILE_DIR"
  sleep "$WARMUP"
  for i in 0 1 2; do thread_ticks "${NODE_PIDS[$i]}" > "$PROFILE_DIR/threads-node$i-start.txt"; done
  for i in 0 1 2; do
    jcmd "${NODE_PIDS[$i]}" JFR.start name=ingest settings=profile duration="${DURATION}s" \
      filename="$PROFILE_DIR/ingest-node$i.jfr" > /dev/null &
  done
  sleep "$DURATION"
  for i in 0 1 2; do
    thread_ticks "${NODE_PIDS[$i]}" > "$PROFILE_DIR/threads-node$i-end.txt"
    curl -s "http://127.0.0.1:${HP[$i]}/metrics" > "$PROFILE_DIR/metrics-node$i.txt" || true
  done
fi
wait "${LOADS[@]}"
cat "$C/result0" "$C/result1" "$C/result2"
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } r += v["records_per_s"]; c += v["node_cpu_s"] }
  END { printf "cluster_ingest records_per_s=%d node_cpu_s=%.2f cpu_s_per_m_records=%.2f\n", r, c, (r > 0 ? c * 1e6 / (r * '"$DURATION"') : -1) }' \
  "$C/result0" "$C/result1" "$C/result2"
load "${HP[0]}" cluster-latency "${LATENCY[@]}"
