#!/usr/bin/env bash
# Start to healthy of a fresh standalone node, in wall time, CPU time and classes loaded (issue #14).
#
#   startup.sh [VARIANT...]  RUNS times, each VARIANT in turn (alternating, so other work on the machine hits all
#                         of them alike): a fresh node in a temp dir on a free port, GET /health polled every
#                         10 ms from launching `java` until it answers 200; then SIGTERM. Prints each run and,
#                         per variant, the medians of
#                           wall_ms    launch to the first 200
#                           cpu_ms     the JVM's user+system CPU (/proc/PID/stat) at that moment
#                           jit_ms     the part of it in the C1 and C2 compiler threads
#                           classes    classes loaded by then (-Xlog:class+load lines written so far;
#                                      "cds" of them from the shared archive)
#                         A VARIANT is a jar, optionally followed by JVM flags of its own, in one argument
#                         ("riffle.jar -XX:SharedArchiveFile=/abs/riffle.jsa": the JVM runs in the temp dir,
#                         so paths in flags must be absolute); the default is
#                         websocket-gateway/target/riffle.jar.
#   env: RUNS=5  JAVA_OPTS="" (extra JVM flags, e.g. -XX:SharedArchiveFile=...)  TIMEOUT=60 (s per start)
#        NODE_ARGS="" (extra node flags)  KEEP_LOG=DIR (copy each run's class log and node log there)
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -gt 0 ] || set -- "$REPO_DIR/websocket-gateway/target/riffle.jar"
export RUNS="${RUNS:-5}" JAVA_OPTS="${JAVA_OPTS:-}" TIMEOUT="${TIMEOUT:-60}" NODE_ARGS="${NODE_ARGS:-}" KEEP_LOG="${KEEP_LOG:-}"

exec python3 - "$@" <<'EOF'
import os, shlex, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

variants = sys.argv[1:]
runs, timeout = int(os.environ["RUNS"]), float(os.environ["TIMEOUT"])
java_opts, node_args = shlex.split(os.environ["JAVA_OPTS"]), shlex.split(os.environ["NODE_ARGS"])
keep = os.environ["KEEP_LOG"]
hz = os.sysconf("SC_CLK_TCK")

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def health(port):
    """The status code of GET /health, or None while nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            head = s.recv(64)
            return int(head.split()[1]) if head.startswith(b"HTTP/") else None
    except OSError:
        return None

def cpu_ms(stat):
    fields = open(stat).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // hz

def jit_ms(pid):
    """CPU of the JIT compiler threads (C1, C2) so far."""
    total = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            if open(f"/proc/{pid}/task/{t}/comm").read().startswith(("C1 ", "C2 ")):
                total += cpu_ms(f"/proc/{pid}/task/{t}/stat")
        except OSError:
            pass  # the thread ended
    return total

def one(variant, run):
    jar, *flags = shlex.split(variant)
    jar = os.path.abspath(jar)  # the JVM runs in the temp dir
    d = tempfile.mkdtemp(prefix="riffle-startup.")
    try:
        port, cl = free_port(), os.path.join(d, "classes.txt")
        cmd = ["java", f"-Xlog:class+load=info:file={cl}", *java_opts, *flags, "-jar", jar, "--host", "127.0.0.1",
               "--port", str(port), "--data-dir", os.path.join(d, "data"), *node_args]
        log = open(os.path.join(d, "node.log"), "w")
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=d, stdout=log, stderr=subprocess.STDOUT)
        try:
            while health(port) != 200:
                if p.poll() is not None or time.monotonic() - t0 > timeout:
                    raise SystemExit(f"{variant}: no healthy node (exit {p.poll()}), see {d}/node.log")
                time.sleep(0.01)
            wall, cpu, jit = (time.monotonic() - t0) * 1000, cpu_ms(f"/proc/{p.pid}/stat"), jit_ms(p.pid)
            with open(cl) as f:
                lines = f.readlines()
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()
        classes = sum(" source: " in l for l in lines)
        cds = sum("shared objects file" in l for l in lines)
        if keep:
            os.makedirs(keep, exist_ok=True)
            base = os.path.join(keep, f"{variants.index(variant)}.{run}")
            shutil.copy(cl, base + ".classes.txt")
            shutil.copy(os.path.join(d, "node.log"), base + ".log")
        return round(wall), cpu, jit, classes, cds
    finally:
        shutil.rmtree(d, ignore_errors=True)

results = {v: [] for v in variants}
for run in range(1, runs + 1):
    for v in variants:
        r = one(v, run)
        results[v].append(r)
        load = open("/proc/loadavg").read().split()[0]
        print(f"run {run} {v}: wall_ms={r[0]} cpu_ms={r[1]} jit_ms={r[2]} classes={r[3]} cds={r[4]} load={load}",
              flush=True)
for v, rs in results.items():
    med = [statistics.median(x[i] for x in rs) for i in range(5)]
    print(f"median {v}: wall_ms={med[0]:.0f} cpu_ms={med[1]:.0f} jit_ms={med[2]:.0f} classes={med[3]:.0f} cds={med[4]:.0f} "
          f"(wall {min(x[0] for x in rs)}-{max(x[0] for x in rs)})")
EOF
