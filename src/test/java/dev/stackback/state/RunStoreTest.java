package dev.stackback.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
  @TempDir Path dir;

  @Test
  void recent_runsOfOneSecond_areOrderedByStartTime_notByTheirIdsRandomSuffix() {
    RunStore store = new RunStore(dir);
    Instant second = Instant.parse("2026-12-02T12:00:00Z");
    // ids of one second: the later run gets the smaller suffix, so the name order is wrong
    store.save(RunRecord.skipped("schedule", "h", second.plusMillis(100), "paused"));
    RunRecord later = RunRecord.skipped("schedule", "h", second.plusMillis(900), "paused");
    RunRecord earlier = RunRecord.skipped("schedule", "h", second.plusMillis(100), "paused");
    RunStore fresh = new RunStore(dir.resolve("other"));
    fresh.save(withId(later, "20261202T120000Z-1000"));
    fresh.save(withId(earlier, "20261202T120000Z-ffff"));
    fresh.save(
        withId(
            RunRecord.skipped("schedule", "h", second.minusSeconds(5), "paused"),
            "20261202T115955Z-aaaa"));

    assertEquals(
        List.of("20261202T120000Z-1000", "20261202T120000Z-ffff", "20261202T115955Z-aaaa"),
        fresh.recent(10).stream().map(RunRecord::id).toList());
    // a limit that cuts inside the second still gets the newest of it
    assertEquals(
        List.of("20261202T120000Z-1000"), fresh.recent(1).stream().map(RunRecord::id).toList());
    assertEquals(1, store.recent(5).size());
  }

  private static RunRecord withId(RunRecord r, String id) {
    return new RunRecord(
        id,
        r.trigger(),
        r.state(),
        r.pid(),
        r.host(),
        r.startedAt(),
        r.endedAt(),
        r.exitCode(),
        r.stopped(),
        r.steps(),
        r.error(),
        r.reason());
  }
}
