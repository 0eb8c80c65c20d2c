package dev.stackback.history;

import static dev.stackback.history.Runs.dump;
import static dev.stackback.history.Runs.ok;
import static dev.stackback.history.Runs.run;
import static dev.stackback.history.Runs.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {
  private static final Thresholds T = Thresholds.DEFAULT;
  private static final long MB = 1 << 20;

  /** Three successful runs whose dump db read 100 MiB in 10 s, 12 s and 11 s. */
  private static List<RunRecord> three() {
    return List.of(
        ok(1, dump("db", 10_000, 100 * MB)),
        ok(2, dump("db", 12_000, 100 * MB)),
        ok(3, dump("db", 11_000, 100 * MB)));
  }

  private static List<Anomaly> detect(RunRecord run, List<RunRecord> previous) {
    List<RunRecord> all = new ArrayList<>(previous);
    all.add(run); // the store's recent runs include the run itself
    return AnomalyDetector.detect(run, all, T);
  }

  @Test
  void dumpAtHalfItsMedian_isSmaller_andTheMessageSaysByHowMuch() {
    List<Anomaly> a = detect(ok(4, dump("db", 11_000, 50 * MB)), three());
    assertEquals(
        List.of(
            new Anomaly(
                Anomaly.SMALLER,
                "dump db",
                "db",
                50 * MB,
                100 * MB,
                3,
                "dump db read 50 MiB, 50% less than its median of 100 MiB over the previous 3 runs")),
        a);
  }

  @Test
  void dumpJustAboveHalfItsMedian_isNoAnomaly() {
    assertEquals(List.of(), detect(ok(4, dump("db", 11_000, 50 * MB + 1)), three()));
  }

  @Test
  void dumpOfZeroBytes_isSmaller() {
    List<Anomaly> a = detect(ok(4, dump("db", 11_000, 0L)), three());
    assertEquals(1, a.size());
    assertEquals(
        100, Math.round(100.0 * (a.get(0).median() - a.get(0).value()) / a.get(0).median()));
  }

  @Test
  void tooLittleHistory_twoPriorRuns_isNoAnomaly() {
    assertEquals(List.of(), detect(ok(4, dump("db", 11_000, 0L)), three().subList(0, 2)));
  }

  @Test
  void failedAndIncompleteRunsAndFailedSteps_areNoHistory() {
    List<RunRecord> previous =
        List.of(
            ok(1, dump("db", 10_000, 100 * MB)),
            ok(2, dump("db", 10_000, 100 * MB)),
            // a failed run whose dump was ok, an incomplete run, a failed dump in a good run
            run(3, RunRecord.FAILED, dump("db", 10_000, 100 * MB)),
            run(4, RunRecord.INCOMPLETE, dump("db", 10_000, 100 * MB)),
            ok(5, Runs.data("dump", "db", "failed", 10_000, 100 * MB)));
    assertEquals(List.of(), detect(ok(6, dump("db", 11_000, 1L)), previous));
    // one more good run makes three
    List<RunRecord> more = new ArrayList<>(previous);
    more.add(ok(5, dump("db", 10_000, 100 * MB)));
    assertEquals(1, detect(ok(6, dump("db", 11_000, 1L)), more).size());
  }

  @Test
  void restoreAndVerifyRuns_areNoHistory_andAreNotJudged() {
    List<RunRecord> previous = new ArrayList<>(three().subList(0, 2));
    previous.add(run(3, "restore", RunRecord.SUCCEEDED, List.of(), dump("db", 1, 100 * MB)));
    previous.add(run(4, "verify", RunRecord.SUCCEEDED, List.of(), dump("db", 1, 100 * MB)));
    assertEquals(List.of(), detect(ok(5, dump("db", 11_000, 1L)), previous));
    RunRecord drill = run(5, "verify", RunRecord.SUCCEEDED, List.of(), dump("db", 1, 1L));
    assertEquals(List.of(), detect(drill, three()));
  }

  @Test
  void laterRuns_areNoHistoryOfAnEarlierRun() {
    // judging run 1 again after runs 2..4: none of them is before it
    List<RunRecord> later =
        List.of(
            ok(2, dump("db", 10_000, 100 * MB)),
            ok(3, dump("db", 10_000, 100 * MB)),
            ok(4, dump("db", 10_000, 100 * MB)));
    assertEquals(List.of(), detect(ok(1, dump("db", 10_000, 1L)), later));
  }

  @Test
  void medianIsOverTheLastTenRunsOnly() {
    List<RunRecord> previous = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      // two old runs of 1000 MiB, then ten of 100 MiB: the old ones are out of the window
      previous.add(ok(i, dump("db", 10_000, (i <= 2 ? 1000 : 100) * MB)));
    }
    List<Anomaly> a = detect(ok(13, dump("db", 10_000, 60 * MB)), previous);
    assertEquals(List.of(), a);
    List<Anomaly> b = detect(ok(13, dump("db", 10_000, 50 * MB)), previous);
    assertEquals(100 * MB, b.get(0).median());
    assertEquals(AnomalyDetector.WINDOW, b.get(0).priorRuns());
  }

  @Test
  void stepsAreMatchedByKindAndName() {
    // a snapshot of db and a dump of web in history say nothing about dump db
    List<RunRecord> previous =
        List.of(
            ok(1, snapshot("db", 10_000, 100 * MB), dump("web", 1, 100 * MB)),
            ok(2, snapshot("db", 10_000, 100 * MB), dump("web", 1, 100 * MB)),
            ok(3, snapshot("db", 10_000, 100 * MB), dump("web", 1, 100 * MB)));
    assertEquals(List.of(), detect(ok(4, dump("db", 10_000, 1L)), previous));
    List<Anomaly> a = detect(ok(4, snapshot("db", 10_000, 1L), dump("web", 1, 100 * MB)), previous);
    assertEquals(List.of("snapshot db"), a.stream().map(Anomaly::step).toList());
  }

  @Test
  void historyWithoutBytesRead_judgesOnlyDuration() {
    // records written before bytesRead existed
    List<RunRecord> previous =
        List.of(
            ok(1, dump("db", 10_000, null)),
            ok(2, dump("db", 10_000, null)),
            ok(3, dump("db", 10_000, null)));
    assertEquals(List.of(), detect(ok(4, dump("db", 10_000, 1L)), previous));
    List<Anomaly> a = detect(ok(4, dump("db", 31_000, 1L)), previous);
    assertEquals(List.of(Anomaly.SLOWER), a.stream().map(Anomaly::type).toList());
  }

  @Test
  void slower_needsMoreThanTheFactor_andTenSecondsMore() {
    // median 11 s: 33 s is exactly 3 times, 33.001 s more than that
    assertEquals(List.of(), detect(ok(4, dump("db", 33_000, 100 * MB)), three()));
    List<Anomaly> a = detect(ok(4, dump("db", 33_001, 100 * MB)), three());
    assertEquals(
        List.of(
            new Anomaly(
                Anomaly.SLOWER,
                "dump db",
                "db",
                33_001,
                11_000,
                3,
                "dump db took 33s, 3.0× its median of 11s over the previous 3 runs")),
        a);
    // a fast step: 4 times slower but only 3 s more is noise
    List<RunRecord> fast =
        List.of(
            ok(1, dump("db", 1000, MB)), ok(2, dump("db", 1000, MB)), ok(3, dump("db", 1000, MB)));
    assertEquals(List.of(), detect(ok(4, dump("db", 4000, MB)), fast));
  }

  @Test
  void bothSmallerAndSlower_areTwoAnomalies() {
    List<Anomaly> a = detect(ok(4, dump("db", 60_000, MB)), three());
    assertEquals(List.of(Anomaly.SMALLER, Anomaly.SLOWER), a.stream().map(Anomaly::type).toList());
  }

  @Test
  void failedOrIncompleteStepOfTheRun_isNotJudged() {
    RunRecord r = run(4, RunRecord.FAILED, Runs.data("dump", "db", "failed", 60_000, 0L));
    assertEquals(List.of(), detect(r, three()));
    RunRecord i = run(4, RunRecord.INCOMPLETE, Runs.data("snapshot", "db", "incomplete", 1, 0L));
    assertEquals(List.of(), detect(i, three()));
  }

  @Test
  void okStepOfAFailedRun_isJudged() {
    // the run failed elsewhere (a hook), the dump itself was ok but tiny
    RunRecord r = run(4, RunRecord.FAILED, dump("db", 11_000, 1L));
    assertEquals(1, detect(r, three()).size());
  }

  @Test
  void thresholds_areConfigurable_andZeroTurnsChecksOff() {
    RunRecord r = ok(4, dump("db", 60_000, 70 * MB)); // 30 % smaller, 5.5 times slower
    List<RunRecord> all = new ArrayList<>(three());
    assertEquals(
        List.of(Anomaly.SLOWER),
        AnomalyDetector.detect(r, all, T).stream().map(Anomaly::type).toList());
    assertEquals(
        List.of(Anomaly.SMALLER),
        AnomalyDetector.detect(r, all, new Thresholds(3, 30, 0)).stream()
            .map(Anomaly::type)
            .toList());
    assertEquals(List.of(), AnomalyDetector.detect(r, all, new Thresholds(3, 0, 6)));
    assertEquals(List.of(), AnomalyDetector.detect(r, all, new Thresholds(4, 30, 2)));
    assertEquals(List.of(), AnomalyDetector.detect(r, all, new Thresholds(0, 30, 2)));
    assertEquals(2, AnomalyDetector.detect(r, all, new Thresholds(1, 30, 2)).size());
  }

  @Test
  void medianZero_neverMakesAShrink() {
    List<RunRecord> empty =
        List.of(ok(1, dump("db", 1, 0L)), ok(2, dump("db", 1, 0L)), ok(3, dump("db", 1, 0L)));
    assertEquals(List.of(), detect(ok(4, dump("db", 1, 0L)), empty));
  }
}
