package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LegacySnapshotsTest {
  private static final String ID_A = "a".repeat(64);
  private static final String ID_B = "b".repeat(64);

  private static Snapshot snap(String id, String host, int at, List<String> paths, String... tags) {
    return new Snapshot(id, id, Instant.ofEpochSecond(at), host, paths, List.of(tags));
  }

  @Test
  void pythonLayout_untagged_isLegacy() {
    assertTrue(LegacySnapshots.isLegacy(snap("1", ID_A, 0, List.of("/volumes", "/databases"))));
    assertTrue(LegacySnapshots.isLegacy(snap("2", ID_A, 0, List.of("/volumes"))));
    assertTrue(
        LegacySnapshots.isLegacy(snap("3", ID_A, 0, List.of("/databases/db/all_databases.sql"))));
  }

  @Test
  void ours_otherPaths_orNoPaths_areNot() {
    assertFalse(
        LegacySnapshots.isLegacy(
            snap("1", "app", 0, List.of("/volumes/web/data"), "stack-back", "service=web")));
    assertFalse(LegacySnapshots.isLegacy(snap("2", ID_A, 0, List.of("/volumes", "/etc"))));
    assertFalse(LegacySnapshots.isLegacy(snap("3", ID_A, 0, List.of("/volumesx"))));
    assertFalse(LegacySnapshots.isLegacy(snap("4", ID_A, 0, List.of())));
  }

  @Test
  void of_oldestFirst_hosts_andOthersSharingTheirHosts() {
    Snapshot newer = snap("n", ID_B, 20, List.of("/volumes"));
    Snapshot older = snap("o", ID_A, 10, List.of("/volumes"));
    Snapshot ours = snap("s", "app", 5, List.of("/volumes/web/data"), "stack-back");
    Snapshot handMade = snap("h", ID_A, 30, List.of("/root"));
    List<Snapshot> all = List.of(newer, ours, older, handMade);
    assertEquals(List.of(older, newer), LegacySnapshots.of(all));
    assertEquals(Set.of(ID_A, ID_B), LegacySnapshots.hosts(all));
    assertEquals(List.of(handMade), LegacySnapshots.othersOnTheirHosts(all));
  }
}
