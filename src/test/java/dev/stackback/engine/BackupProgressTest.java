package dev.stackback.engine;

import static dev.stackback.engine.EngineHarness.standardStack;
import static dev.stackback.engine.EngineHarness.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.port.ExecRequest;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * restic's progress lines are for the log only: never in a step's record; the worker's restic is
 * told how often to print them; maintenance is one line, its output in the record's tail.
 */
class BackupProgressTest {
  @TempDir Path state;

  @Test
  void progressLines_neverReachTheRecord_otherOutputDoes() {
    EngineHarness h = new EngineHarness(standardStack(), state);

    assertEquals(0, h.run().exitCode());

    RunRecord r = h.latest();
    for (String name : List.of("snapshot files", "snapshot web")) {
      StepRecord s = step(r, name);
      assertEquals("ok", s.outcome());
      assertFalse(s.tail().stream().anyMatch(l -> l.contains("\"status\"")), s.tail()::toString);
      assertEquals(
          List.of("warning from restic", "{\"message_type\":\"summary\"}"), s.tail(), name);
    }
  }

  @Test
  void workerBackups_getTheProgressRate() {
    EngineHarness h = new EngineHarness(standardStack(), state);

    h.run();

    List<ExecRequest> backups =
        h.runtime.execs().stream().filter(e -> e.command().contains("backup")).toList();
    assertEquals(2, backups.size(), h.runtime.execs()::toString);
    backups.forEach(e -> assertEquals(Map.of("RESTIC_PROGRESS_FPS", "0.5"), e.env()));
  }

  @Test
  void maintenance_isOneSummaryLine_withResticsOutputInTheTail() {
    EngineHarness h = new EngineHarness(standardStack(), state);

    h.run();

    StepRecord m = step(h.latest(), "forget + prune");
    assertEquals("ok", m.outcome());
    assertEquals("kept 7, removed 1 snapshot; prune freed 1.0 MiB", m.message());
    assertEquals(FakeRestic.FORGET_OUTPUT, m.tail());
    assertTrue(m.durationMs() >= 0);
  }
}
