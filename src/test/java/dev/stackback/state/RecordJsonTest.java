package dev.stackback.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordJsonTest {
  private static final Instant T0 = Instant.parse("2025-03-01T02:00:00.123456789Z");

  private static RunRecord sample() {
    StepRecord hook =
        new StepRecord(
            "hook",
            "pre: dump \"db\"",
            "pre",
            "db",
            "failed",
            T0,
            1234,
            3,
            2,
            "exit 3 \\ tab\there\u0001",
            List.of("line 1", "ünïcödé ✓", ""),
            null);
    StepRecord snap =
        new StepRecord(
            "snapshot",
            "app",
            "-",
            "app",
            "ok",
            T0.plusSeconds(2),
            5,
            0,
            1,
            "snapshot 1234abcd",
            List.of("done"),
            9_876_543_210L,
            12_345_678_901L);
    return new RunRecord(
        "20250301T020000Z-ab12",
        "schedule",
        RunRecord.FAILED,
        4711,
        "shop",
        T0,
        T0.plusSeconds(7),
        1,
        List.of("c1", "c2"),
        List.of(hook, snap),
        "pre hook failed",
        "a reason",
        List.of(
            new Anomaly(
                Anomaly.SMALLER,
                "snapshot app",
                "app",
                12_345_678_901L,
                40_000_000_000L,
                3,
                "snapshot app read 11.5 GiB, 69% less than \"usual\"")),
        FailureReportJsonTest.failedWithReport().failure());
  }

  /**
   * Every field of a record, step and anomaly is set in {@link #sample()}: a field added to one of
   * them but not read by {@link RecordJson} fails {@link
   * #readsWhatRunStoreWrites_theSameRecordAsJackson}.
   */
  @Test
  void sampleSetsEveryField() throws Exception {
    RunRecord r = sample();
    assertNoNullComponent(r);
    assertNoNullComponent(r.steps().get(1));
    assertNoNullComponent(r.anomalies().get(0));
  }

  private static void assertNoNullComponent(Record r) throws Exception {
    for (var c : r.getClass().getRecordComponents()) {
      Object v = c.getAccessor().invoke(r);
      assertNotNull(v, c.getName());
      if (v instanceof List<?> l) {
        assertFalse(l.isEmpty(), c.getName());
      }
    }
  }

  @Test
  void readsWhatRunStoreWrites_theSameRecordAsJackson(@TempDir Path state) throws Exception {
    RunStore jackson = new RunStore(state);
    RunRecord r = sample();
    jackson.save(r);
    RunRecord running =
        new RunRecord(
            "20250301T030000Z-cd34",
            "manual",
            RunRecord.RUNNING,
            1,
            "shop",
            T0.plusSeconds(3600),
            null,
            null,
            List.of(),
            List.of(),
            null);
    jackson.save(running);
    RunRecord skipped =
        new RunRecord(
            "20250301T040000Z-ef56",
            "schedule",
            RunRecord.SKIPPED,
            2,
            null,
            T0.plusSeconds(7200),
            T0.plusSeconds(7200),
            0,
            List.of(),
            List.of(),
            null,
            "paused until resumed (\"db move\")");
    jackson.save(skipped);

    List<RunRecord> viaJackson = jackson.recent(10);
    List<RunRecord> light = RunStore.withoutJackson(state).recent(10);
    assertEquals(List.of(skipped, running, r), viaJackson);
    assertEquals(viaJackson, light);
  }

  @Test
  void skipsAFileThatIsNotARecord(@TempDir Path state) throws Exception {
    RunStore store = RunStore.withoutJackson(state);
    new RunStore(state).save(sample());
    Files.writeString(state.resolve("runs/20990101T000000Z-zz.json"), "{\"id\": \"x\", broken");
    assertEquals(List.of(sample()), store.recent(10));
  }

  @Test
  void rejectsWhatIsNotJson() {
    assertThrows(IllegalArgumentException.class, () -> RecordJson.read("[1, 2"));
    assertThrows(IllegalArgumentException.class, () -> RecordJson.read("{} x"));
    assertThrows(IllegalArgumentException.class, () -> RecordJson.read("\"text\""));
  }
}
