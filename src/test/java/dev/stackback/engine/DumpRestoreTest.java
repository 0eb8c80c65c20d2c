package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.Snapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which snapshot {@code restore --dump} takes. */
class DumpRestoreTest {
  static final Snapshot OLD_DUMP =
      snap("aaaa1111", "2026-01-01T00:00:00Z", "/databases/db/app.sql");
  static final Snapshot NEW_DUMP =
      snap("bbbb2222", "2026-02-01T00:00:00Z", "/databases/db/app.sql");
  static final Snapshot NEWER_VOLUMES = snap("cccc3333", "2026-03-01T00:00:00Z", "/volumes/db/etc");

  @Test
  void latest_isTheNewestDumpSnapshot_notANewerVolumeSnapshot() {
    assertEquals(
        NEW_DUMP, DumpRestore.pick(List.of(OLD_DUMP, NEWER_VOLUMES, NEW_DUMP), "latest").get());
  }

  @Test
  void anIdPrefix_selectsThatDump() {
    assertEquals(OLD_DUMP, DumpRestore.pick(List.of(OLD_DUMP, NEW_DUMP), "aaaa").get());
  }

  @Test
  void aVolumeSnapshotId_isNoDump() {
    assertTrue(DumpRestore.pick(List.of(OLD_DUMP, NEWER_VOLUMES), "cccc").isEmpty());
  }

  @Test
  void dumpPath_isTheSingleDatabasesPath() {
    assertEquals("/databases/db/app.sql", DumpRestore.dumpPath(OLD_DUMP).get());
    assertTrue(DumpRestore.dumpPath(NEWER_VOLUMES).isEmpty());
  }

  private static Snapshot snap(String id, String time, String path) {
    return new Snapshot(
        id + "0".repeat(56),
        id,
        Instant.parse(time),
        "host",
        List.of(path),
        List.of("stack-back", "service=db"));
  }
}
