package dev.stackback.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stackback.state.FailureReport.ContainerReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A record's failure report survives the store, read with Jackson and with {@link RecordJson}. */
class FailureReportJsonTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  static RunRecord failedWithReport() {
    StepRecord hook =
        new StepRecord(
            "hook", "pre web#1", "pre", "web", "failed", T0, 40, 3, 1, "exit code 3", List.of("x"));
    ContainerReport web =
        new ContainerReport(
            "pre web#1",
            "id-web",
            "app-web-1",
            "exited",
            137,
            true,
            2,
            "unhealthy",
            "OCI runtime said \"no\"",
            List.of("line 1", "ünïcödé ✓"),
            List.of("2026-12-02T10:00:01Z die (exitCode=137)"));
    ContainerReport gone =
        new ContainerReport(
            "start db", "id-db", "db", "gone", null, false, 0, null, null, List.of(), List.of());
    FailureReport f =
        new FailureReport(
            "pre web#1",
            "hook",
            "web",
            "failed",
            3,
            "exit code 3",
            List.of("x"),
            List.of(web, gone),
            List.of("events of db: engine gone"));
    return new RunRecord(
            "20261202T100000Z-ab12",
            "manual",
            RunRecord.FAILED,
            1,
            "shop",
            T0,
            T0.plusSeconds(2),
            1,
            List.of(),
            List.of(hook),
            "a pre hook failed")
        .withFailure(f);
  }

  @Test
  void failureReport_readBackByJacksonAndByRecordJson_equal(@TempDir Path state) {
    RunRecord r = failedWithReport();
    new RunStore(state).save(r);

    assertEquals(r, new RunStore(state).find(r.id()).orElseThrow());
    assertEquals(r, RunStore.withoutJackson(state).find(r.id()).orElseThrow());
  }

  @Test
  void recordWithoutReport_readsNull_andEndingKeepsTheReport() {
    RunRecord r = failedWithReport();
    assertNull(RecordJson.read("{\"id\":\"x\",\"steps\":[]}").failure());
    assertEquals(r.failure(), r.withStep(r.steps().get(0)).ended("failed", T0, 1, null).failure());
  }

  @Test
  void find_rejectsWhatIsNoRunId(@TempDir Path state) {
    new RunStore(state).save(failedWithReport());
    assertEquals(
        java.util.Optional.empty(), new RunStore(state).find("../runs/20261202T100000Z-ab12"));
  }
}
