#!/usr/bin/env bash
# Comparison runs on this machine: Riffle with fsync per batch AND with interval fsync, Kafka 4.4.0 (KRaft,
# acks=1, no fsync per write: its default), and kinesalite (in memory), RUNS times over, then a table of
# every figure as the median and range of the runs, and Riffle's ratio to each peer computed inside each run.
#
# Every Riffle figure comes twice: cold (the first COLD seconds of load on a node started fresh for the
# scenario, load starting as soon as /health answers 200) and warm (DURATION seconds after WARMUP seconds of
# load), with the node's CPU seconds per million records stored (from /proc/<pid>/stat) next to Kafka's
# broker's.
#
# usage: load-tests/peers/compare.sh            (after mvn -B -DskipTests package)
#   env: RUNS=3 DURATION=20 WARMUP=15 COLD=10 FSYNCS="PER_BATCH INTERVAL" PEERS="kafka kinesalite"
#        (kafka3: Kafka on 3 brokers, replication factor 3, acks=all)
#        SCENARIOS="ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle"
#        KAFKA_RECORDS_100=5000000 KAFKA_RECORDS_1K=1500000 (Kafka's test runs a fixed record count)
#        OUT=/tmp/riffle-compare.log (the full log, RESULT lines included, tagged run=N)
#   smoke run (a few minutes): RUNS=1 COLD=5 WARMUP=5 DURATION=5 SCENARIOS="ingest100 e2e1k" FSYNCS=PER_BATCH \
#        PEERS=kafka KAFKA_RECORDS_100=1000000 KAFKA_RECORDS_1K=200000 KAFKA_E2E_RECORDS=2000 load-tests/peers/compare.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

OUT="${OUT:-/tmp/riffle-compare.log}"
RUNS="${RUNS:-3}"
read -r -a SC <<<"${SCENARIOS:-ingest100 ingest1k e2e1k e2e10k fanout100 fanout1000 throttle}"
read -r -a FS <<<"${FSYNCS:-PER_BATCH INTERVAL}"
read -r -a PE <<<"${PEERS:-kafka kinesalite}"
export COLD WARMUP DURATION
: >"$OUT"
echo "# riffle compare $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr); RUNS=$RUNS COLD=$COLD WARMUP=$WARMUP DURATION=$DURATION" | tee -a "$OUT"
for run in $(seq 1 "$RUNS"); do
  {
    echo "## run $run of $RUNS, $(date -u +%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for f in "${FS[@]}"; do bash "$PEERS_DIR/riffle.sh" "$f" "${SC[@]}"; done
    for p in "${PE[@]}"; do bash "$PEERS_DIR/$p.sh"; done
  } 2>&1 | sed -u "s/^RESULT /RESULT run=$run /" | tee -a "$OUT"
done

echo
python3 "$PEERS_DIR/summarize.py" "$OUT"
echo
echo "full log: $OUT"
