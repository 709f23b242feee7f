#!/usr/bin/env python3
"""Where a Riffle node's time and memory go, from a JFR recording (settings=profile): CPU samples by the code
on the stack (JSON, base64,
the HTTP guard, the event bus, the shard log...), allocation by the same buckets, GC pauses, and, given the
records stored during the recording, CPU and allocation per record.

usage: jfr_summary.py RECORDING.jfr [RECORDS_STORED]
Needs the JDK's `jfr` tool on PATH.
"""
import collections
import json
import subprocess
import sys

# Buckets of code, tested in order against each frame of a stack ("inclusive": a sample counts for every
# bucket found anywhere on its stack, so the percentages do not add up to 100).
BUCKETS = [
    ("JSON (Jackson, Vert.x JsonObject)", ("com.fasterxml.jackson", "io.vertx.core.json")),
    ("base64", ("java.util.Base64",)),
    ("RequestGuard (HTTP/1.1 checks before Vert.x)", ("io.riffle.gateway.tcp.",)),
    ("Vert.x HTTP server + Netty HTTP codec", ("io.vertx.core.http.impl", "io.netty.handler.codec.http")),
    ("event bus (send, codecs, delivery)", ("io.vertx.core.eventbus", "io.riffle.codec", "io.riffle.bus")),
    ("gateway handlers (native/Kinesis API)", ("io.riffle.gateway.",)),
    ("String.format (e.g. ShardId.toString per record)", ("java.util.Formatter",)),
    ("model: ids, sequence numbers, hash keys, validation", ("io.riffle.model.",)),
    ("shard verticle and engine", ("io.riffle.shard.", "io.riffle.stream.", "io.riffle.throttle.")),
    ("shard log (encode, CRC, write, fsync)", ("io.riffle.log.",)),
    ("metrics (Micrometer)", ("io.micrometer",)),
    ("socket I/O (NIO, epoll)", ("sun.nio.ch", "io.netty.channel")),
]


def events(path, kind):
    out = subprocess.run(["jfr", "print", "--json", "--events", kind, path], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)["recording"]["events"]


def frames(event):
    trace = event["values"].get("stackTrace") or {}
    result = []
    for f in trace.get("frames", []):
        m = f.get("method") or {}
        t = (m.get("type") or {}).get("name", "?")
        result.append(t.replace("/", ".") + "." + m.get("name", "?"))
    return result


def short(frame):
    """Class.method without the package."""
    parts = frame.rsplit(".", 2)
    return ".".join(parts[-2:])


def buckets_of(stack):
    found = []
    for name, prefixes in BUCKETS:
        if any(fr.startswith(prefixes) for fr in stack):
            found.append(name)
    return found


def main():
    path = sys.argv[1]
    records = int(sys.argv[2]) if len(sys.argv) > 2 else 0

    exec_samples = events(path, "jdk.ExecutionSample")
    n = len(exec_samples)
    inclusive = collections.Counter()
    top = collections.Counter()
    callers = collections.defaultdict(collections.Counter)
    for e in exec_samples:
        st = frames(e)
        if st:
            top[st[0]] += 1
            callers[st[0]][" < ".join(short(f) for f in st[1:5])] += 1
        for b in set(buckets_of(st)):
            inclusive[b] += 1
    print("## CPU samples of Java code (jdk.ExecutionSample, %d samples): share with the code on the stack" % n)
    print()
    print("| code | share of samples |")
    print("|---|---|")
    for b, c in inclusive.most_common():
        print("| %s | %.0f %% |" % (b, 100 * c / n if n else 0))
    print()
    print("Top methods (self), each with its most common callers:")
    print()
    for m, c in top.most_common(15):
        print("- %.1f %% %s < %s" % (100 * c / n, m, callers[m].most_common(1)[0][0]))
    print()

    alloc = events(path, "jdk.ObjectAllocationSample")
    total = 0
    by_bucket = collections.Counter()
    by_class = collections.Counter()
    for e in alloc:
        w = e["values"].get("weight", 0)
        total += w
        by_class[((e["values"].get("objectClass") or {}).get("name") or "?").replace("/", ".")] += w
        for b in set(buckets_of(frames(e))):
            by_bucket[b] += w
    print("## Allocation (jdk.ObjectAllocationSample weights: an estimate of all bytes allocated)")
    print()
    print("total %.1f MiB%s" % (total / 2**20, (", %.0f bytes per record stored" % (total / records)) if records else ""))
    print()
    print("| code on the stack | MiB | share |")
    print("|---|---|---|")
    for b, w in by_bucket.most_common():
        print("| %s | %.1f | %.0f %% |" % (b, w / 2**20, 100 * w / total if total else 0))
    print()
    print("Top classes: " + ", ".join("%s %.0f %%" % (c, 100 * w / total) for c, w in by_class.most_common(8)))
    print()

    gcs = events(path, "jdk.GarbageCollection")
    pauses = [e["values"].get("sumOfPauses", "PT0S") for e in gcs]

    def iso_ms(d):
        # ISO-8601 durations as JFR prints them: PT0.012345S
        d = d.replace("PT", "").rstrip("S")
        return float(d) * 1000 if d else 0.0
    total_pause = sum(iso_ms(p) for p in pauses)
    names = collections.Counter(e["values"].get("name") for e in gcs)
    print("## GC: %d collections (%s), %.0f ms paused in all, longest %.1f ms" % (
        len(gcs), ", ".join("%s %d" % kv for kv in names.items()), total_pause,
        max([iso_ms(p) for p in pauses] or [0])))
    print()
    comp = events(path, "jdk.Compilation")
    print("## JIT: %d compilations over the threshold recorded (jdk.Compilation); see thread_cpu.py for the "
          "compiler threads' CPU" % len(comp))


if __name__ == "__main__":
    main()
