#!/usr/bin/env bash
# Shared by the peer scripts: a work directory, port waits, and stopping every process we started.
set -euo pipefail

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$PEERS_DIR/../.." && pwd)"
# Downloads (Kafka jars, kinesalite) are cached here between runs; data dirs are fresh temp dirs.
CACHE_DIR="${RIFFLE_PEERS_CACHE:-/tmp/riffle-peers}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-15}"
# The cold window: the first COLD seconds of load on a freshly started node (0 = not reported).
COLD="${COLD:-10}"
mkdir -p "$CACHE_DIR"

STARTED_PIDS=()
TEMP_DIRS=()

cleanup() {
  local status=$?
  for pid in "${STARTED_PIDS[@]:-}"; do
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for d in "${TEMP_DIRS[@]:-}"; do
    if [ -n "$d" ]; then rm -rf "$d"; fi
  done
  return "$status"
}
trap cleanup EXIT

# new_temp_dir VAR: a fresh directory removed at exit
new_temp_dir() {
  local d
  d="$(mktemp -d /tmp/riffle-peer.XXXXXX)"
  TEMP_DIRS+=("$d")
  printf -v "$1" '%s' "$d"
}

# start_bg LOG CMD...: starts a process in the background, remembers its pid in LAST_PID
start_bg() {
  local log="$1"; shift
  "$@" >"$log" 2>&1 &
  LAST_PID=$!
  STARTED_PIDS+=("$LAST_PID")
}

# stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL
stop_pid() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
}

# wait_port PORT SECONDS: until something listens on 127.0.0.1:PORT
wait_port() {
  local port="$1" secs="$2"
  for _ in $(seq 1 $((secs * 5))); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing listens on 127.0.0.1:$port after ${secs}s" >&2
  return 1
}

# wait_healthy PORT SECONDS: until GET /health on 127.0.0.1:PORT answers 200
wait_healthy() {
  local port="$1" secs="$2"
  for _ in $(seq 1 $((secs * 10))); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" 2>/dev/null)" = 200 ]; then return 0; fi
    sleep 0.1
  done
  echo "127.0.0.1:$port/health is not 200 after ${secs}s" >&2
  return 1
}

# cpu_seconds PID: user+system CPU seconds PID has used (/proc/PID/stat fields 14 and 15, USER_HZ 100)
cpu_seconds() {
  sed 's/.*) //' "/proc/$1/stat" | awk '{ printf "%.2f", ($12 + $13) / 100 }'
}

# free_port: a port nothing listens on right now
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# field LINE NAME: the value of NAME=value in a RESULT line
field() {
  sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" <<<"$1"
}
