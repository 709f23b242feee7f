package io.riffle.fault;

import java.util.List;
import java.util.Map;

/** A {@link Checker.Result} as Markdown, for a terminal and for load-tests/RELIABILITY.md. */
final class Report {
    private Report() {
    }

    static String markdown(FaultRun.Options options, Checker.Result r, List<String> notes) {
        StringBuilder md = new StringBuilder();
        md.append("### Fault run: ").append(options.nodes()).append(" nodes, ").append(options.shards())
                .append(" shards, ").append(options.durationSeconds()).append(" s of faults ")
                .append(options.nemeses()).append(", hold ").append(options.holdSeconds()).append(" s, quiet ")
                .append(options.quietSeconds()).append(" s, on ")
                .append(options.target() < 0 ? "the nodes in turn" : "node " + options.target()).append(", ").append(options.producers()).append(" producers x ")
                .append(options.keysPerProducer()).append(" keys, seed ").append(options.seed()).append("\n\n");
        md.append("| check | result | must be |\n|---|---:|---|\n");
        row(md, "acknowledged records", r.acknowledged(), "");
        row(md, "acknowledged records lost", r.lost(), "0");
        row(md, "acknowledgements whose position holds another record", r.misplaced(), "0");
        row(md, "records read that were never acknowledged", r.unacknowledgedReads(), "0");
        row(md, "order violations per key", r.orderViolations(), "0");
        row(md, "duplicates in the log (client retries after a lost answer)", r.duplicates(), "counted");
        row(md, "records acknowledged twice (same retries, both answers arrived)", r.ackedTwice(), "counted");
        md.append("\n| reader | records read | never acknowledged | order violations | repeats | acknowledged not read |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Checker.ReaderResult rr : r.readers()) {
            md.append("| ").append(rr.reader()).append(" | ").append(rr.reads()).append(" | ").append(rr.unacknowledged())
                    .append(" | ").append(rr.orderViolations()).append(" | ").append(rr.repeats()).append(" | ")
                    .append(rr.missed()).append(" |\n");
        }
        md.append("\n| # | fault | node | at (s) | undone after (s) | longest put outage of a key (s) |\n")
                .append("|---:|---|---:|---:|---:|---:|\n");
        for (int i = 0; i < r.faults().size(); i++) {
            History.Fault f = r.faults().get(i);
            md.append("| ").append(i + 1).append(" | ").append(f.kind()).append(" | ").append(f.node()).append(" | ")
                    .append(seconds(f.start())).append(" | ").append(seconds(f.end() - f.start())).append(" | ")
                    .append(seconds(Checker.longestFor(r.windows(), i + 1))).append(" |\n");
        }
        md.append("\nUnavailability (put outages: per key, first failed attempt to next acknowledgement):\n\n")
                .append("| blamed on | outages (key-windows) | longest (s) | total (s, some key out) | first at (s) |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, long[]> e : Checker.byKind(r.windows()).entrySet()) {
            long[] v = e.getValue();
            md.append("| ").append(e.getKey()).append(" | ").append(v[0]).append(" | ").append(seconds(v[1]))
                    .append(" | ").append(seconds(v[2])).append(" | ").append(seconds(v[3])).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, long value, String must) {
        md.append("| ").append(what).append(" | ").append(value).append(" | ").append(must).append(" |\n");
    }

    private static String seconds(long millis) {
        return String.format("%.1f", millis / 1000.0);
    }
}
