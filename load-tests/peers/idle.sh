#!/usr/bin/env bash
# CPU of an idle 3-node cluster: starts three clustered nodes on 127.0.0.1 (HTTP BASE_PORT..+2, Hazelcast
# BASE_PORT+100..+102), creates a stream of 6 shards, lets the nodes settle 15 s, then prints the three
# nodes' CPU seconds (user + system, from /proc) over the next WINDOW seconds. Nothing else should run.
#
# usage: load-tests/peers/idle.sh [extra JVM options for the nodes]
#   env: NODE_JAR=websocket-gateway/target/riffle.jar BASE_PORT=45101 WINDOW=60
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_JAR="${NODE_JAR:-$REPO_DIR/websocket-gateway/target/riffle.jar}"
BASE_PORT="${BASE_PORT:-45101}"
WINDOW="${WINDOW:-60}"
W="$(mktemp -d /tmp/riffle-idle.XXXXXX)"
members="127.0.0.1:$((BASE_PORT + 100)),127.0.0.1:$((BASE_PORT + 101)),127.0.0.1:$((BASE_PORT + 102))"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
for i in 0 1 2; do
  java -Xmx1g -XX:+UseParallelGC "$@" -jar "$NODE_JAR" --host 127.0.0.1 --port $((BASE_PORT + i)) \
    --data-dir "$W/data$i" --cluster true --cluster-name "idle-$$" --cluster-port $((BASE_PORT + 100 + i)) \
    --cluster-members "$members" --event-bus-host 127.0.0.1 > "$W/node$i.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d '{"name":"idle","shardCount":6}' "http://127.0.0.1:$BASE_PORT/v1/streams" || true)
  [ "$code" = 201 ] && break
  sleep 1
done
[ "$code" = 201 ] || { echo "the stream was not created (last status $code); logs in $W" >&2; trap - EXIT; exit 1; }
sleep 15
ticks() { local t=0 a; for p in "${pids[@]}"; do read -r -a a < "/proc/$p/stat"; t=$((t + a[13] + a[14])); done; echo "$t"; }
t0=$(ticks); sleep "$WINDOW"; t1=$(ticks)
echo "idle: 3 nodes, ${WINDOW} s: $(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", d / hz }') CPU s"
