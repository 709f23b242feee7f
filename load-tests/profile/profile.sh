#!/usr/bin/env bash
# JFR profiles of a freshly started node under the load generator: one recording of the cold window (the
# first COLD seconds after /health answers 200, load starting right after the recording does) and one of
# the warm window (DURATION seconds after WARMUP seconds of load), each summarized by jfr_summary.py with
# the records stored in its window, plus the node's CPU per thread group in each window (thread_cpu.py).
# WARMUP must be at least COLD. Builds nothing: run `mvn -B -DskipTests package` first.
#
# usage: load-tests/profile/profile.sh [ingest100|ingest1k|e2e1k]
#   env: COLD=10 WARMUP=20 DURATION=10 FSYNC=PER_BATCH OUTDIR=/tmp/riffle-profile NODE_JAVA_OPTS="" (extra JVM
#        flags for the node, e.g. an AppCDS archive, to profile a change)
source "$(dirname "${BASH_SOURCE[0]}")/../peers/common.sh"

SCENARIO="${1:-ingest100}"
COLD="${COLD:-10}"
WARMUP="${WARMUP:-20}"
DURATION="${DURATION:-10}"
FSYNC="${FSYNC:-PER_BATCH}"
OUTDIR="${OUTDIR:-/tmp/riffle-profile}"
read -r -a EXTRA <<<"${NODE_JAVA_OPTS:-}"
NODE_JAR="$REPO_DIR/websocket-gateway/target/riffle.jar"
LOAD_JAR="$REPO_DIR/load-tests/target/riffle-load.jar"
mkdir -p "$OUTDIR"
case "$SCENARIO" in
  ingest100) ARGS=(--scenario ingest --record-size 100 --producers 2 --window 4 --shards 2) ;;
  ingest1k)  ARGS=(--scenario ingest --record-size 1024 --producers 2 --window 4 --shards 2) ;;
  e2e1k)     ARGS=(--scenario e2e --rate 1000 --record-size 100 --producers 1 --subscribers 1 --shards 2) ;;
  *) echo "unknown scenario $SCENARIO" >&2; exit 2 ;;
esac

new_temp_dir DATA
PORT="$(free_port)"
start_bg "$DATA/node.log" java -Xmx1g -XX:+UseParallelGC "${EXTRA[@]}" -jar "$NODE_JAR" --host 127.0.0.1 --port "$PORT" \
  --data-dir "$DATA/data" --fsync "$FSYNC" --throttling false
NODE_PID=$LAST_PID
wait_healthy "$PORT" 60
TC="$(dirname "${BASH_SOURCE[0]}")/thread_cpu.py"
python3 "$TC" snap "$NODE_PID" >"$OUTDIR/$SCENARIO-cold.before"
jcmd "$NODE_PID" JFR.start name=cold settings=profile duration="${COLD}s" filename="$OUTDIR/$SCENARIO-cold.jfr" >/dev/null
java -Xmx2g -XX:+UseParallelGC -jar "$LOAD_JAR" --port "$PORT" --duration "$DURATION" --warmup "$WARMUP" --cold "$COLD" \
  --node-pid "$NODE_PID" --label "profile-$SCENARIO" "${ARGS[@]}" >"$OUTDIR/$SCENARIO-load.log" 2>&1 &
LOAD_PID=$!
sleep "$COLD"
python3 "$TC" snap "$NODE_PID" >"$OUTDIR/$SCENARIO-cold.after"
sleep $((WARMUP - COLD))
python3 "$TC" snap "$NODE_PID" >"$OUTDIR/$SCENARIO-warm.before"
jcmd "$NODE_PID" JFR.start name=warm settings=profile duration="${DURATION}s" filename="$OUTDIR/$SCENARIO-warm.jfr" >/dev/null
sleep "$DURATION"
python3 "$TC" snap "$NODE_PID" >"$OUTDIR/$SCENARIO-warm.after"
wait "$LOAD_PID" || true
sleep 2 # the warm recording ends DURATION seconds after it started; let it write its file
RESULT="$(grep '^RESULT' "$OUTDIR/$SCENARIO-load.log")"
echo "$RESULT"
stop_pid "$NODE_PID"

cold_records="$(awk -v r="$(field "$RESULT" cold_records_per_s)" -v s="$COLD" 'BEGIN { printf "%d", r * s }')"
warm_records="$(awk -v r="$(field "$RESULT" records_per_s)" -v s="$DURATION" 'BEGIN { printf "%d", r * s }')"
if [ "$SCENARIO" = e2e1k ]; then
  cold_records=$((1000 * COLD)); warm_records=$((1000 * DURATION))
fi
for phase in cold warm; do
  n=$cold_records; [ "$phase" = warm ] && n=$warm_records
  echo
  echo "# $SCENARIO $phase ($OUTDIR/$SCENARIO-$phase.jfr, $n records stored in the window)"
  echo
  echo "## CPU by thread (/proc/$NODE_PID/task, the window's edges)"
  echo
  python3 "$TC" diff "$OUTDIR/$SCENARIO-$phase.before" "$OUTDIR/$SCENARIO-$phase.after" "$n"
  echo
  python3 "$(dirname "${BASH_SOURCE[0]}")/jfr_summary.py" "$OUTDIR/$SCENARIO-$phase.jfr" "$n"
done
