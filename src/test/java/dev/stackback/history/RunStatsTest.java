package dev.stackback.history;

import static dev.stackback.history.Runs.dump;
import static dev.stackback.history.Runs.ok;
import static dev.stackback.history.Runs.run;
import static dev.stackback.history.Runs.snapshot;
import static dev.stackback.history.Runs.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunStatsTest {
  @Test
  void noRuns_hasNothing() {
    RunStats s = RunStats.of(List.of());
    assertEquals(new RunStats(0, 0, null, List.of(), List.of(), List.of(), List.of()), s);
  }

  @Test
  void onlyFailedRuns_useNone() {
    RunStats s =
        RunStats.of(
            List.of(
                run(1, RunRecord.FAILED, dump("db", 5, 10L)),
                run(2, RunRecord.SKIPPED),
                run(3, RunRecord.RUNNING, dump("db", 5, 10L))));
    assertEquals(3, s.runs());
    assertEquals(0, s.used());
    assertNull(s.run());
    assertEquals(List.of(), s.steps());
    assertEquals(List.of(), s.services());
  }

  @Test
  void stepsAndServices_overTheSuccessfulRunsOnly() {
    List<RunRecord> records =
        List.of(
            // newest first, as the store gives them
            ok(4, step("stop", "stop db", "db", 400), dump("db", 40, 4000L)),
            run(3, RunRecord.FAILED, step("stop", "stop db", "db", 999_999), dump("db", 9, 1L)),
            ok(2, step("stop", "stop db", "db", 200), dump("db", 20, 2000L)),
            ok(
                1,
                step("stop", "stop db", "db", 100),
                dump("db", 10, 1000L),
                snapshot("web", 7, 700L)));
    RunStats s = RunStats.of(records);
    assertEquals(4, s.runs());
    assertEquals(3, s.used());
    assertEquals(
        List.of("stop db", "dump db", "snapshot web"),
        s.steps().stream().map(RunStats.StepStats::step).toList());
    RunStats.StepStats stop = s.steps().get(0);
    assertEquals("stop", stop.kind());
    assertEquals("db", stop.service());
    assertEquals(new Distribution(3, 200, 400, 400, null), stop.durationMs());
    assertNull(stop.bytesRead());
    assertEquals(new Distribution(3, 2000, 4000, 4000, null), s.steps().get(1).bytesRead());

    RunStats.ServiceStats db = s.services().get(0);
    assertEquals("db", db.service());
    // 110, 220, 440 ms per run (stop + dump)
    assertEquals(new Distribution(3, 220, 440, 440, null), db.durationMs());
    // bytes added are a tenth of bytes read in these records
    assertEquals(100 + 200 + 400, db.bytesAddedTotal());
    assertEquals(200, db.bytesAdded().median());
    assertEquals(4000L, db.lastBytesRead());
    RunStats.ServiceStats web = s.services().get(1);
    assertEquals(1, web.durationMs().count());
    assertEquals(700L, web.lastBytesRead()); // its newest run that backed it up

    assertEquals(3, s.run().count());
  }

  @Test
  void slowest_areTheFiveStepsWithTheLargestMedian() {
    RunRecord r =
        ok(
            1,
            step("hook", "pre a#1", "a", 1),
            step("hook", "pre b#1", "b", 600),
            dump("c", 300, 1L),
            dump("d", 500, 1L),
            step("start", "start e", "e", 200),
            step("stop", "stop f", "f", 400),
            snapshot("g", 100, 1L));
    assertEquals(
        List.of("pre b#1", "dump d", "stop f", "dump c", "start e"),
        RunStats.of(List.of(r)).slowest().stream().map(RunStats.StepStats::step).toList());
  }

  @Test
  void trend_ofAStepThatGetsSlower() {
    RunStats s =
        RunStats.of(
            List.of(
                ok(1, dump("db", 100, 1L)),
                ok(2, dump("db", 100, 1L)),
                ok(3, dump("db", 200, 1L)),
                ok(4, dump("db", 200, 1L))));
    assertEquals(100.0, s.steps().get(0).durationMs().trendPercent());
  }

  @Test
  void anomalies_ofEveryRunInTheWindow_oldestFirst() {
    Anomaly a = new Anomaly(Anomaly.SMALLER, "dump db", "db", 1, 100, 3, "dump db read 1 B");
    Anomaly b = new Anomaly(Anomaly.SLOWER, "dump db", "db", 99_000, 10_000, 3, "dump db took");
    RunRecord failed = run(2, "schedule", RunRecord.FAILED, List.of(b));
    RunRecord good = run(1, "schedule", RunRecord.SUCCEEDED, List.of(a));
    RunStats s = RunStats.of(List.of(failed, good));
    assertEquals(
        List.of(
            new RunStats.Flagged(good.id(), good.startedAt(), a),
            new RunStats.Flagged(failed.id(), failed.startedAt(), b)),
        s.anomalies());
  }
}
