package io.riffle.fault;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a run's {@link History} against the final read of every shard (made once every fault is undone).
 *
 * <ul>
 *   <li><b>lost</b>: acknowledged ids the final read lacks; <b>misplaced</b>: acknowledgements whose
 *       (shard, sequence number) holds another record.</li>
 *   <li><b>unacknowledged reads</b>: ids a reader got that no put acknowledged (producers retry every record
 *       until acknowledged, so every record written is acknowledged once the run drained).</li>
 *   <li><b>order violations</b>, per reader: a key's record read (for the first time) after a later record
 *       of the same key. A key has one record in flight at a time, so its per-key sequence is the order of
 *       its acknowledgements.</li>
 *   <li><b>duplicates</b>: extra copies in the log, written by a retry after a lost answer; <b>repeats</b>: a
 *       consumer reading one (shard, sequence number) twice; <b>missed</b>: acknowledged ids a consumer never got.</li>
 *   <li><b>unavailability</b>: per key, from the first failed put after a success to the next success, blamed
 *       on the latest fault that started before that put's failure was seen (until 10 s after that fault was
 *       undone): a put sent just before a kill fails because of it.</li>
 * </ul>
 */
final class Checker {
    private static final long BLAME_AFTER_MILLIS = 10_000;

    /** One outage of one key's puts. */
    record Window(String key, long start, long end, String blame) {
        long millis() {
            return end - start;
        }
    }

    /** What one reader got wrong. */
    record ReaderResult(String reader, long reads, long unacknowledged, long orderViolations, long repeats, long missed) {
    }

    /** The verdict. */
    record Result(long acknowledged, long lost, long misplaced, long duplicates, long ackedTwice,
                  List<ReaderResult> readers, List<Window> windows, List<History.Fault> faults) {
        long unacknowledgedReads() {
            return readers.stream().mapToLong(ReaderResult::unacknowledged).sum();
        }

        long orderViolations() {
            return readers.stream().mapToLong(ReaderResult::orderViolations).sum();
        }
    }

    static final String FINAL = "final read";

    private Checker() {
    }

    static Result check(History history, List<History.Read> finalRead) {
        Map<String, History.Ack> acked = new HashMap<>();
        long ackedTwice = 0;
        for (History.Ack a : history.acks()) {
            if (acked.putIfAbsent(a.id(), a) != null) {
                ackedTwice++;
            }
        }
        Map<String, String> atPosition = new HashMap<>();
        Set<String> inLog = new HashSet<>();
        long duplicates = 0;
        for (History.Read r : finalRead) {
            atPosition.put(r.shardId() + "/" + r.sequenceNumber(), r.id());
            if (!inLog.add(r.id())) {
                duplicates++;
            }
        }
        long lost = acked.keySet().stream().filter(id -> !inLog.contains(id)).count();
        long misplaced = history.acks().stream()
                .filter(a -> inLog.contains(a.id()) && !a.id().equals(atPosition.get(a.shardId() + "/" + a.sequenceNumber())))
                .count();
        List<ReaderResult> readers = new ArrayList<>();
        readers.add(reader(FINAL, finalRead, acked.keySet()));
        history.reads().forEach((name, reads) -> readers.add(reader(name, reads, acked.keySet())));
        List<History.Fault> faults = history.faults();
        return new Result(acked.size(), lost, misplaced, duplicates, ackedTwice, readers,
                windows(history.attempts(), faults), faults);
    }

    private static ReaderResult reader(String name, List<History.Read> reads, Set<String> acked) {
        Set<String> seen = new HashSet<>();
        Set<String> positions = new HashSet<>();
        Map<String, Long> highest = new HashMap<>();
        long unacknowledged = 0;
        long order = 0;
        long repeats = 0;
        for (History.Read r : reads) {
            if (!positions.add(r.shardId() + "/" + r.sequenceNumber())) {
                repeats++;
                continue;
            }
            if (!acked.contains(r.id())) {
                unacknowledged++;
            }
            if (!seen.add(r.id())) {
                continue; // a duplicate in the log: its first copy was judged
            }
            long seq = History.keySeqOf(r.id());
            Long before = highest.put(History.keyOf(r.id()), seq);
            if (before != null && seq < before) {
                order++;
                highest.put(History.keyOf(r.id()), before);
            }
        }
        long missed = acked.stream().filter(id -> !seen.contains(id)).count();
        return new ReaderResult(name, reads.size(), unacknowledged, order, repeats, missed);
    }

    private static List<Window> windows(List<History.Attempt> attempts, List<History.Fault> faults) {
        Map<String, List<History.Attempt>> byKey = new TreeMap<>();
        attempts.forEach(a -> byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a));
        List<Window> windows = new ArrayList<>();
        for (Map.Entry<String, List<History.Attempt>> e : byKey.entrySet()) {
            List<History.Attempt> list = e.getValue();
            list.sort(Comparator.comparingLong(History.Attempt::start));
            long open = -1;
            long seen = -1;
            for (History.Attempt a : list) {
                if (!a.ok() && open < 0) {
                    open = a.start();
                    seen = a.end();
                } else if (a.ok() && open >= 0) {
                    windows.add(new Window(e.getKey(), open, a.end(), blame(seen, faults)));
                    open = -1;
                }
            }
            if (open >= 0) {
                long last = list.get(list.size() - 1).end();
                windows.add(new Window(e.getKey(), open, last, blame(seen, faults) + " (never ended)"));
            }
        }
        return windows;
    }

    private static String blame(long at, List<History.Fault> faults) {
        String blame = "no fault";
        long latest = -1;
        for (int i = 0; i < faults.size(); i++) {
            History.Fault f = faults.get(i);
            if (f.start() <= at && at <= f.end() + BLAME_AFTER_MILLIS && f.start() > latest) {
                latest = f.start();
                blame = "#" + (i + 1) + " " + f.kind();
            }
        }
        return blame;
    }

    /** The windows grouped by fault kind: count, longest, the union of their time (some key out), first start. */
    static Map<String, long[]> byKind(List<Window> windows) {
        Map<String, List<Window>> groups = new LinkedHashMap<>();
        for (Window w : windows) {
            String kind = w.blame().replaceFirst("^#\\d+ ", "");
            groups.computeIfAbsent(kind, k -> new ArrayList<>()).add(w);
        }
        Map<String, long[]> out = new TreeMap<>();
        groups.forEach((kind, list) -> out.put(kind, new long[] {list.size(),
                list.stream().mapToLong(Window::millis).max().orElse(0), union(list),
                list.stream().mapToLong(Window::start).min().orElse(0)}));
        return out;
    }

    /** The longest window blamed on fault {@code number} (1-based), 0 if none. */
    static long longestFor(List<Window> windows, int number) {
        String prefix = "#" + number + " ";
        return windows.stream().filter(w -> w.blame().startsWith(prefix)).mapToLong(Window::millis).max().orElse(0);
    }

    static long union(List<Window> windows) {
        List<Window> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparingLong(Window::start));
        long total = 0;
        long curStart = -1;
        long curEnd = -1;
        for (Window w : sorted) {
            if (w.start() > curEnd) {
                total += curEnd - curStart;
                curStart = w.start();
                curEnd = w.end();
            } else {
                curEnd = Math.max(curEnd, w.end());
            }
        }
        return total + (curEnd - curStart);
    }
}
