#!/usr/bin/env python3
"""Summarizes compare.sh's log: every figure as the median and range of its runs, and every ratio to a peer
computed inside one run (both measured on the same machine at about the same time), then the median and
range of those per-run ratios. Reads RESULT lines tagged run=N; prints a Markdown table.

usage: summarize.py LOG
"""
import os
import statistics
import sys


def parse(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("RESULT "):
                continue
            fields = {}
            for part in line.split()[1:]:
                if "=" in part:
                    k, v = part.split("=", 1)
                    fields[k] = v
            rows.append(fields)
    return rows


def value(rows, run, where, field):
    """The field of the first RESULT line of this run matching every key=value of where, as a float."""
    for r in rows:
        if r.get("run") == run and all(r.get(k) == v for k, v in where.items()):
            try:
                v = float(r[field])
            except (KeyError, ValueError):
                return None
            return None if v < 0 else v
    return None


def spread(values, digits):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    fmt = "{:,.%df}" % digits
    med = fmt.format(statistics.median(values))
    if len(values) == 1:
        return med + " (1 run)"
    return "%s (%s-%s, %d runs)" % (med, fmt.format(min(values)), fmt.format(max(values)), len(values))


def main():
    rows = parse(sys.argv[1])
    runs = sorted({r["run"] for r in rows if "run" in r}, key=int)
    fsyncs = [f for f in ("PER_BATCH", "INTERVAL") if any(r.get("fsync") == f for r in rows)]
    kafka_ingest = lambda size: {"peer": "kafka", "scenario": "ingest", "record_size": size}
    riffle = lambda fsync, label: {"peer": "riffle", "fsync": fsync, "label": label}
    # (figure, riffle where-clause builder, riffle field, peer where, peer field, digits)
    specs = []
    for size, label in (("100", "ingest100"), ("1024", "ingest1k")):
        specs += [
            ("ingest %s B records/s, cold (first %s s)" % (size, os.environ.get("COLD", "10")), label, "cold_records_per_s",
             kafka_ingest(size), "cold_records_per_s", 0),
            ("ingest %s B records/s, warm" % size, label, "records_per_s", kafka_ingest(size), "warm_records_per_s", 0),
            ("ingest %s B CPU s per M records, cold" % size, label, "cold_cpu_s_per_m_records",
             kafka_ingest(size), "cpu_s_per_m_records", 2),
            ("ingest %s B CPU s per M records, warm" % size, label, "cpu_s_per_m_records",
             kafka_ingest(size), "cpu_s_per_m_records", 2),
        ]
    for label in ("e2e1k", "e2e10k"):
        for p in ("p50_ms", "p99_ms", "p999_ms"):
            for phase, field in (("cold", "cold_" + p), ("warm", p)):
                specs.append(("%s %s, %s (Kafka: closed loop)" % (label, p, phase), label, field,
                              {"peer": "kafka", "scenario": "e2e"}, p, 3))
    for label in ("fanout100", "fanout1000"):
        for field in ("delivered_per_s", "min_subscriber_share", "node_heap_mib_max", "cold_p99_ms", "p99_ms"):
            specs.append(("%s %s" % (label, field), label, field, None, None, 2))
    for field in ("offered_per_s", "accepted_per_s", "error_pct"):
        specs.append(("throttle %s (limit 1000/s)" % field, "throttle", field, None, None, 2))

    header = ["figure"] + ["Riffle %s" % f for f in fsyncs] + ["Kafka 4.4.0"] + ["%s/Kafka" % f for f in fsyncs]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for figure, label, field, peer, peer_field, digits in specs:
        cells = []
        mine = {f: [value(rows, run, riffle(f, label), field) for run in runs] for f in fsyncs}
        if all(v is None for f in fsyncs for v in mine[f]):
            continue
        cells += [spread(mine[f], digits) for f in fsyncs]
        if peer is None:
            cells += ["-"] + ["-" for _ in fsyncs]
        else:
            theirs = [value(rows, run, peer, peer_field) for run in runs]
            cells.append(spread(theirs, digits))
            for f in fsyncs:
                ratios = [a / b if a is not None and b else None for a, b in zip(mine[f], theirs)]
                cells.append(spread(ratios, 2))
        print("| " + " | ".join([figure] + cells) + " |")
    for size in ("100", "1024"):
        kl = [value(rows, run, {"peer": "kinesalite", "scenario": "ingest", "record_size": size}, "records_per_s")
              for run in runs]
        if any(v is not None for v in kl):
            print("| kinesalite ingest %s B records/s (warm) | %s |" % (size, spread(kl, 0)))
    print()
    print("Kafka's ingest figures come from its ProducerPerformance progress lines (5 s each): cold = the lines of "
          "its first COLD seconds, warm = the rest; its CPU is the broker's over the whole producer run. Riffle's CPU is "
          "the node process's over the window. Ratios are computed inside each run, then summarized.")


if __name__ == "__main__":
    main()
