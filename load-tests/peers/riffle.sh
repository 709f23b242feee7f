#!/usr/bin/env bash
# Riffle: builds nothing (run `mvn -B -DskipTests package` first), starts websocket-gateway/target/riffle.jar
# on 127.0.0.1 with a temp data dir, waits for /health to answer 200, runs the load generator's scenarios against it, stops it (SIGTERM).
#
# usage: riffle.sh FSYNC [SCENARIOS...]
#   FSYNC: PER_BATCH (fsync before acknowledging each append batch) or INTERVAL (every 1000 ms)
#   SCENARIOS: any of ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle (default: all), or
#              idle1000 (RSS of the node with 1,000 idle shards; not in the default list)
#   env: NODE_JAVA_OPTS="-XX:TieredStopAtLevel=1 ...": more JVM options for the node (split on spaces)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

FSYNC="${1:-PER_BATCH}"; shift || true
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle)
NODE_JAR="$REPO_DIR/websocket-gateway/target/riffle.jar"
LOAD_JAR="$REPO_DIR/load-tests/target/riffle-load.jar"
NODE_HEAP="${NODE_HEAP:-1g}"
for j in "$NODE_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: run mvn -B -DskipTests package first" >&2; exit 1; }
done

# run_node THROTTLING [NODE FLAGS...]: starts a fresh node, sets NODE_PID and PORT
run_node() {
  local throttling="$1"; shift
  new_temp_dir DATA
  PORT="$(free_port)"
  local opts=()
  # shellcheck disable=SC2206 # NODE_JAVA_OPTS is a list of options, split on spaces
  [ -z "${NODE_JAVA_OPTS:-}" ] || opts=(${NODE_JAVA_OPTS})
  start_bg "$DATA/node.log" java "-Xmx$NODE_HEAP" -XX:+UseParallelGC "${opts[@]}" -jar "$NODE_JAR" --host 127.0.0.1 --port "$PORT" \
    --data-dir "$DATA/data" --fsync "$FSYNC" --throttling "$throttling" "$@"
  NODE_PID=$LAST_PID
  wait_healthy "$PORT" 60
}

# load LABEL ARGS...: runs the generator, echoes its progress, tags its RESULT line. The generator reports
# the first COLD seconds of load (cold_* fields) and the DURATION seconds after WARMUP, with the node's CPU.
load() {
  local label="$1"; shift
  local out
  out="$(timeout $((DURATION + WARMUP + 180)) java -Xmx2g -XX:+UseParallelGC -jar "$LOAD_JAR" --port "$PORT" \
    --duration "$DURATION" --warmup "$WARMUP" --cold "$COLD" --node-pid "$NODE_PID" --label "$label" "$@" 2>&1)" || true
  echo "$out" | grep -v '^RESULT' | sed 's/^/  /'
  echo "$out" | grep '^RESULT' | sed "s/^RESULT /RESULT peer=riffle fsync=$FSYNC /"
}

for s in "${SCENARIOS[@]}"; do
  echo "== riffle $s (fsync $FSYNC)"
  case "$s" in
    ingest100)  run_node false; load "$s" --scenario ingest --record-size 100 --producers 2 --window 4 --shards 2 ;;
    ingest1k)   run_node false; load "$s" --scenario ingest --record-size 1024 --producers 2 --window 4 --shards 2 ;;
    e2e1k)      run_node false; load "$s" --scenario e2e --rate 1000 --record-size 100 --producers 1 --subscribers 1 --shards 2 ;;
    e2e10k)     run_node false; load "$s" --scenario e2e --rate 10000 --record-size 100 --producers 1 --subscribers 1 --shards 2 ;;
    # One stream, one consumer per subscriber: the node's consumer limit is raised above Kinesis's 20.
    fanout100)  run_node false --max-consumers-per-stream 1000; load "$s" --scenario fanout --rate 1000 --record-size 100 --producers 1 --subscribers 100 --shards 1 --consumers-per-stream 1000 ;;
    fanout1000) run_node false --max-consumers-per-stream 1000; load "$s" --scenario fanout --rate 1000 --record-size 100 --producers 1 --subscribers 1000 --shards 1 --consumers-per-stream 1000 ;;
    throttle)   run_node true;  load "$s" --scenario throttle --rate 3000 --limit 1000 --record-size 100 --producers 1 --shards 1 ;;
    idle1000)   run_node false; load "$s" --scenario idle --streams 10 --shards 100 ;;
    *) echo "unknown scenario $s" >&2; exit 2 ;;
  esac
  stop_pid "$NODE_PID"
done
