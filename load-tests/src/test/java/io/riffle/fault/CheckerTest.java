package io.riffle.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker's verdicts on a small hand-made history with one of each fault it must find. */
class CheckerTest {
    private final History history = new History();

    @Test
    void findsLostMisplacedInventedDuplicatedAndReorderedRecords() {
        history.acked(new History.Ack("a:0", "a", 0, "s0", "1", 1));
        history.acked(new History.Ack("a:1", "a", 1, "s0", "2", 2));
        history.acked(new History.Ack("b:0", "b", 0, "s1", "1", 3));
        history.acked(new History.Ack("c:0", "c", 0, "s1", "9", 4)); // never in the log: lost
        List<History.Read> log = List.of(
                new History.Read("s0", "1", "a:0"),
                new History.Read("s0", "2", "a:1"),
                new History.Read("s0", "3", "a:1"),  // a retry's second copy
                new History.Read("s1", "1", "x:0"),  // never acknowledged, and where b:0 was acknowledged
                new History.Read("s1", "2", "b:0"));
        history.read("consumer", new History.Read("s0", "2", "a:1"));
        history.read("consumer", new History.Read("s0", "1", "a:0")); // a:0 after a:1
        history.read("consumer", new History.Read("s0", "2", "a:1")); // the same position again

        Checker.Result r = Checker.check(history, log);

        assertThat(r.acknowledged()).isEqualTo(4);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.misplaced()).isEqualTo(1);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.readers()).containsExactly(
                new Checker.ReaderResult(Checker.FINAL, 5, 1, 0, 0, 1),
                new Checker.ReaderResult("consumer", 3, 0, 1, 1, 2));
    }

    @Test
    void anOutageRunsFromTheFirstFailureToTheNextAcknowledgementAndBlamesTheFaultThatCausedIt() {
        history.attempted(new History.Attempt("a", 0, 10, true));
        history.attempted(new History.Attempt("a", 100, 200, false)); // sent before the kill, failed by it
        history.attempted(new History.Attempt("a", 300, 400, false));
        history.attempted(new History.Attempt("a", 500, 600, true));
        history.attempted(new History.Attempt("b", 20_000, 20_100, false)); // long after the fault: nobody's
        history.attempted(new History.Attempt("b", 20_200, 20_300, true));
        history.fault(new History.Fault("kill", 1, 150, 250));

        Checker.Result r = Checker.check(history, List.of());

        assertThat(r.windows()).containsExactly(new Checker.Window("a", 100, 600, "#1 kill"),
                new Checker.Window("b", 20_000, 20_300, "no fault"));
        assertThat(Checker.longestFor(r.windows(), 1)).isEqualTo(500);
        assertThat(Checker.byKind(r.windows()).get("kill")).containsExactly(1, 500, 500, 100);
    }

    @Test
    void theTotalOfOverlappingOutagesCountsTheirUnionOnce() {
        assertThat(Checker.union(List.of(new Checker.Window("a", 0, 100, "x"), new Checker.Window("b", 50, 150, "x"),
                new Checker.Window("c", 200, 210, "x")))).isEqualTo(160);
    }
}
