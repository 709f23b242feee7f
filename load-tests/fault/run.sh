#!/usr/bin/env bash
# The long fault run (issue #10): NODES child-JVM nodes on 127.0.0.1, producers on the native and the Kinesis
# API, a GetRecords and a WebSocket consumer, and the nemeses in turn for DURATION seconds; then every fault
# is undone and the checker's Markdown report is printed and written to REPORT (exit code 1 when a record
# was lost, misplaced, invented or read out of order). Every wait inside is bounded; the whole run is
# killed after DURATION + 900 s. Builds nothing: run `mvn -B -DskipTests package` first.
#
# usage: load-tests/fault/run.sh [more FaultRun options]
#   env: DURATION=300 NODES=3 SHARDS=6 NEMESIS=kill,pause,partition,restart HOLD=8 QUIET=4 TARGET=rotate
#        (or a node index: every fault on that node) SEED=1 REPORT=/tmp/riffle-fault-report.md
#        KEEP=1 keeps the nodes' data and logs (else removed after a passing run)
#        NODE_JAVA_OPTS='-Dorg.slf4j.simpleLogger.log.io.riffle.node.CpMembership=debug' adds JVM options to every node (as in cluster.sh and riffle.sh)
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_JAR="$REPO_DIR/websocket-gateway/target/riffle.jar"
LOAD_JAR="$REPO_DIR/load-tests/target/riffle-load.jar"
for j in "$NODE_JAR" "$LOAD_JAR"; do
  [ -f "$j" ] || { echo "missing $j: run mvn -B -DskipTests package first" >&2; exit 1; }
done
DURATION="${DURATION:-300}"
REPORT="${REPORT:-/tmp/riffle-fault-report.md}"
WORK="$(mktemp -d /tmp/riffle-fault.XXXXXX)"
echo "fault run: ${DURATION}s of faults, nodes' data and logs in $WORK, report in $REPORT"
status=0
timeout $((DURATION + 900)) java -Xmx512m -XX:+UseParallelGC -Driffle.node.jar="$NODE_JAR" -cp "$LOAD_JAR" \
  io.riffle.fault.FaultRun --dir "$WORK" --report "$REPORT" --duration "$DURATION" --nodes "${NODES:-3}" \
  --shards "${SHARDS:-6}" --nemesis "${NEMESIS:-kill,pause,partition,restart}" --hold "${HOLD:-8}" \
  --quiet "${QUIET:-4}" --target "${TARGET:-rotate}" --seed "${SEED:-1}" "$@" || status=$?
if [ "$status" = 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "nodes' logs kept in $WORK"; fi
exit "$status"
