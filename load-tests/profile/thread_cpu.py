#!/usr/bin/env python3
"""CPU time of a process's threads, grouped by what they do (JIT compiler threads, event loops, shard log
threads, GC...), from /proc/<pid>/task/*/stat (utime + stime, USER_HZ 100). Exact, unlike sampling, and it
counts the JVM's own threads (JIT, GC) that Java profiles do not sample.

usage: thread_cpu.py snap PID > before.txt      (one line per thread: ticks, then the thread's name)
       thread_cpu.py diff BEFORE AFTER [RECORDS] (a Markdown table of CPU seconds per group in between)
"""
import collections
import os
import sys

GROUPS = (("C2 CompilerThre", "JIT (C2 compiler)"), ("C1 CompilerThre", "JIT (C1 compiler)"),
          ("vert.x-eventloo", "Vert.x event loops (HTTP, gateway, shard verticles)"),
          ("vert.x-worker", "Vert.x workers"), ("riffle-log", "shard log threads (write, fsync, read)"),
          ("GC Thread", "GC"), ("VM Thread", "VM thread (safepoints)"), ("JFR", "JFR"))


def group(name):
    for prefix, g in GROUPS:
        if name.startswith(prefix):
            return g
    return "other"


def snap(pid):
    for tid in os.listdir("/proc/%s/task" % pid):
        try:
            with open("/proc/%s/task/%s/stat" % (pid, tid)) as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        print("%s %d %s" % (tid, int(fields[11]) + int(fields[12]), name))


def load(path):
    threads = {}
    with open(path) as f:
        for line in f:
            tid, ticks, name = line.rstrip("\n").split(" ", 2)
            threads[tid] = (int(ticks), name)
    return threads


def diff(before, after, records):
    a, b = load(before), load(after)
    per = collections.Counter()
    for tid, (ticks, name) in b.items():
        per[group(name)] += (ticks - a.get(tid, (0, name))[0]) / 100.0
    total = sum(per.values())
    print("| thread group | CPU s | share |%s" % (" CPU s per M records |" if records else ""))
    print("|---|---|---|%s" % ("---|" if records else ""))
    for g, s in per.most_common():
        extra = " %.2f |" % (s / (records / 1e6)) if records else ""
        print("| %s | %.2f | %.0f %% |%s" % (g, s, 100 * s / total if total else 0, extra))
    extra = " %.2f |" % (total / (records / 1e6)) if records else ""
    print("| all | %.2f | 100 %% |%s" % (total, extra))


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(sys.argv[2])
    else:
        diff(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
