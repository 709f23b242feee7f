#!/usr/bin/env bash
# kinesalite 3.3.3 from npm (installed into the cache dir), in memory (its default) on 127.0.0.1, driven
# through the Kinesis JSON API by kinesis-put.js with 100 B and 1 KiB records. Prints RESULT lines.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

MODULES="$CACHE_DIR/kinesalite"
if [ ! -d "$MODULES/node_modules/kinesalite" ]; then
  echo "installing kinesalite 3.3.3 with npm into $MODULES"
  mkdir -p "$MODULES"
  (cd "$MODULES" && npm install --no-audit --no-fund kinesalite@3.3.3 >/dev/null)
fi

new_temp_dir WORK
PORT="$(free_port)"
start_bg "$WORK/kinesalite.log" node "$PEERS_DIR/kinesalite-local.js" "$MODULES" "$PORT"
KPID=$LAST_PID
wait_port "$PORT" 30
echo "kinesalite pid $KPID on 127.0.0.1:$PORT (in memory)"

for size in 100 1024; do
  out="$(timeout $((DURATION + WARMUP + 120)) node "$PEERS_DIR/kinesis-put.js" "$PORT" "$size" "$DURATION" "$WARMUP" 2 8 500)"
  echo "$out" | grep -v '^RESULT'
  echo "$out" | grep '^RESULT' | sed 's/^RESULT peer=kinesalite /RESULT peer=kinesalite scenario=ingest /'
done

stop_pid "$KPID"
