#!/usr/bin/env bash
# One comparison run on this machine: Riffle with fsync per batch AND with interval fsync, Kafka 4.4.0
# (KRaft, acks=1, no fsync per write: its default), and kinesalite (in memory), then a table of Riffle's
# figures as ratios to each peer's. Each scenario runs DURATION seconds after WARMUP seconds.
#
# usage: load-tests/peers/compare.sh            (after mvn -B -DskipTests package)
#   env: DURATION=20 WARMUP=5 SCENARIOS="ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle"
#        OUT=/tmp/riffle-compare.log (the full log, RESULT lines included)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="${OUT:-/tmp/riffle-compare.log}"
read -r -a SC <<<"${SCENARIOS:-ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle}"
: >"$OUT"
{
  echo "# riffle compare $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
  bash "$PEERS_DIR/riffle.sh" PER_BATCH "${SC[@]}"
  bash "$PEERS_DIR/riffle.sh" INTERVAL "${SC[@]}"
  bash "$PEERS_DIR/kafka.sh"
  bash "$PEERS_DIR/kinesalite.sh"
} 2>&1 | tee -a "$OUT"

# get PEER [FSYNC] SCENARIO_LABEL_OR_NAME SIZE FIELD
get() {
  grep '^RESULT' "$OUT" | grep "peer=$1 " | grep -- "$2" | grep "record_size=$3 " | head -1 | sed -n "s/.* $4=\([^ ]*\).*/\1/p"
}
ratio() { # ratio A B
  if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; else echo "n/a"; fi
}

echo
echo "| figure | Riffle fsync=PER_BATCH | Riffle fsync=INTERVAL | Kafka 4.4.0 | kinesalite | PER_BATCH/Kafka | INTERVAL/Kafka | PER_BATCH/kinesalite | INTERVAL/kinesalite |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in 100 1024; do
  rb="$(get riffle 'fsync=PER_BATCH .*scenario=ingest' "$size" records_per_s)"
  ri="$(get riffle 'fsync=INTERVAL .*scenario=ingest' "$size" records_per_s)"
  k="$(get kafka 'scenario=ingest' "$size" records_per_s)"
  kl="$(get kinesalite 'scenario=ingest' "$size" records_per_s)"
  echo "| ingest ${size} B, records/s | $rb | $ri | $k | $kl | $(ratio "$rb" "$k") | $(ratio "$ri" "$k") | $(ratio "$rb" "$kl") | $(ratio "$ri" "$kl") |"
done
for p in p50_ms p99_ms p999_ms; do
  for label in e2e1k e2e10k; do
    rb="$(get riffle "fsync=PER_BATCH .*label=$label " 100 "$p")"
    ri="$(get riffle "fsync=INTERVAL .*label=$label " 100 "$p")"
    k="$(get kafka 'scenario=e2e' 100 "$p")"
    echo "| e2e $label $p (Kafka: closed loop) | $rb | $ri | $k | - | $(ratio "$rb" "$k") | $(ratio "$ri" "$k") | - | - |"
  done
done
for label in fanout100 fanout1000; do
  for f in delivered_per_s expected_delivered_per_s min_subscriber_share node_heap_mib_max p99_ms; do
    rb="$(get riffle "fsync=PER_BATCH .*label=$label " 100 "$f")"
    ri="$(get riffle "fsync=INTERVAL .*label=$label " 100 "$f")"
    echo "| $label $f | $rb | $ri | - | - | - | - | - | - |"
  done
done
for f in offered_per_s accepted_per_s error_pct; do
  rb="$(grep '^RESULT' "$OUT" | grep 'fsync=PER_BATCH' | grep 'scenario=throttle' | sed -n "s/.* $f=\([^ ]*\).*/\1/p" | head -1)"
  ri="$(grep '^RESULT' "$OUT" | grep 'fsync=INTERVAL' | grep 'scenario=throttle' | sed -n "s/.* $f=\([^ ]*\).*/\1/p" | head -1)"
  echo "| throttle $f (limit 1000/s) | $rb | $ri | - | - | - | - | - | - |"
done
echo
echo "full log: $OUT"
