#!/usr/bin/env bash
# An AppCDS archive of the node's classes (Java 17's dynamic archive), and what it changes at start.
#
#   appcds.sh build     trains websocket-gateway/target/riffle.jsa: starts the node with
#                       -XX:ArchiveClassesAtExit, runs 5 s of ingest through it, stops it (SIGTERM); the JVM
#                       writes the classes it loaded at exit. The archive is valid only with this same jar
#                       file (path and modification time) and the same JVM build; rebuild it after `package`.
#   appcds.sh compare   RUNS times, alternately without and with -XX:SharedArchiveFile: start to /health
#                       200 (ms, from the java process's start), then COLD seconds of 100 B ingest (records/s
#                       and node CPU s per million records, the load generator's cold_* fields). Prints each
#                       run and the medians.
#   env: RUNS=3 COLD=10 ARCHIVE=websocket-gateway/target/riffle.jsa
source "$(dirname "${BASH_SOURCE[0]}")/../peers/common.sh"

MODE="${1:-compare}"
RUNS="${RUNS:-3}"
COLD="${COLD:-10}"
ARCHIVE="${ARCHIVE:-$REPO_DIR/websocket-gateway/target/riffle.jsa}"
NODE_JAR="$REPO_DIR/websocket-gateway/target/riffle.jar"
LOAD_JAR="$REPO_DIR/load-tests/target/riffle-load.jar"
INGEST=(--scenario ingest --record-size 100 --producers 2 --window 4 --shards 2)

# node VARIANT: starts a fresh node (VARIANT base or cds), sets NODE_PID, PORT and START_MS (to healthy)
node() {
  local flags=()
  [ "$1" = cds ] && flags=("-XX:SharedArchiveFile=$ARCHIVE")
  [ "$1" = train ] && flags=("-XX:ArchiveClassesAtExit=$ARCHIVE")
  new_temp_dir DATA
  PORT="$(free_port)"
  local t0
  t0="$(date +%s%N)"
  start_bg "$DATA/node.log" java -Xmx1g -XX:+UseParallelGC "${flags[@]}" -jar "$NODE_JAR" --host 127.0.0.1 \
    --port "$PORT" --data-dir "$DATA/data" --fsync PER_BATCH --throttling false
  NODE_PID=$LAST_PID
  wait_healthy "$PORT" 60
  START_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

ingest() { # ingest SECONDS: the RESULT line of SECONDS of ingest, all of it the cold window
  java -Xmx2g -XX:+UseParallelGC -jar "$LOAD_JAR" --port "$PORT" --duration "$1" --warmup 0 --cold "$1" \
    --node-pid "$NODE_PID" --label appcds "${INGEST[@]}" 2>&1 | grep '^RESULT'
}

if [ "$MODE" = build ]; then
  rm -f "$ARCHIVE"
  node train
  ingest 5 >/dev/null
  stop_pid "$NODE_PID"
  [ -f "$ARCHIVE" ] || { echo "no archive written: see $DATA/node.log" >&2; exit 1; }
  echo "wrote $ARCHIVE ($(du -m "$ARCHIVE" | cut -f1) MiB)"
  exit 0
fi

[ -f "$ARCHIVE" ] || { echo "missing $ARCHIVE: run $0 build first" >&2; exit 1; }
declare -A START RATE CPU
for run in $(seq 1 "$RUNS"); do
  for v in base cds; do
    node "$v"
    r="$(ingest "$COLD")"
    stop_pid "$NODE_PID"
    START[$v]+="$START_MS "; RATE[$v]+="$(field "$r" cold_records_per_s) "; CPU[$v]+="$(field "$r" cold_cpu_s_per_m_records) "
    echo "run $run $v: start_to_healthy_ms=$START_MS cold_records_per_s=$(field "$r" cold_records_per_s) cold_cpu_s_per_m_records=$(field "$r" cold_cpu_s_per_m_records) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for v in base cds; do
  echo "median $v: start_to_healthy_ms=$(median <<<"${START[$v]}") cold_records_per_s=$(median <<<"${RATE[$v]}") cold_cpu_s_per_m_records=$(median <<<"${CPU[$v]}")"
done
