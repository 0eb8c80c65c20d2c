package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.it.SidecarProject.Result;
import dev.stackback.it.SidecarProject.Running;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two {@code backup} commands in one sidecar at the same time: one runs, the other exits 5. */
class ConcurrencyIT {

  @Test
  void twoBackupsAtOnce_oneRuns_theOtherExits5() {
    try (SidecarProject p = new SidecarProject("sbconc")) {
      String data = p.volume("data");
      String repo = p.volume("repo");
      p.run(
          "app",
          List.of(
              "--label",
              "stack-back.volumes=true",
              // keeps the first run busy long enough for the second to find the lock taken
              "--label",
              "stack-back.hooks.pre.1.cmd=sleep 3",
              "-v",
              data + ":/data"),
          SidecarProject.BUSYBOX,
          List.of("sh", "-c", "echo x > /data/x; " + SidecarProject.IDLE));
      String sidecar =
          p.run(
              "backup",
              p.sidecarOptions(repo),
              SidecarProject.IMAGE,
              List.of("sh", "-c", SidecarProject.IDLE));

      List<String> argv = List.of("docker", "exec", sidecar, "stack-back", "backup");
      Running a = SidecarProject.start(argv, Map.of());
      Running b = SidecarProject.start(argv, Map.of());
      List<Result> results =
          List.of(a.await(Duration.ofMinutes(2)), b.await(Duration.ofMinutes(2))).stream()
              .sorted(Comparator.comparingInt(Result::exit))
              .toList();

      assertEquals(0, results.get(0).exit(), results.toString());
      assertEquals(5, results.get(1).exit(), results.toString());
      String busy = results.get(1).err();
      assertTrue(busy.contains("another backup run is in progress"), busy);
      assertTrue(busy.contains("try again later"), busy);
      assertEquals(1, SidecarProject.snapshots(sidecar).size());
      var records = SidecarProject.runRecords(sidecar);
      assertEquals(1, records.size(), records.toString());
      assertEquals("succeeded", records.get(0).path("state").asText());
      // and the lock is free again afterwards
      assertEquals(0, exec(sidecar, "stack-back", "backup").exit());
    }
  }
}
