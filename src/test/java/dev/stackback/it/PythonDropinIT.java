package dev.stackback.it;

import static dev.stackback.it.SidecarProject.exec;
import static dev.stackback.it.SidecarProject.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A user of the Python stack-back switches images: {@code compose-examples/python-dropin} (socket
 * at /tmp/docker.sock only, the Python tool's env file and names, {@code rcb} commands) backs up
 * unchanged, and the snapshots the Python tool left in the repository (made here with plain restic
 * in its layout: {@code restic backup --host <container id> /volumes /databases}) survive our
 * scoped maintenance, are listed as legacy, and are forgotten only by {@code rcb legacy ... --yes}.
 */
class PythonDropinIT {

  @Test
  void pythonComposeFile_backsUpUnchanged_legacySnapshotsKeptListedThenForgotten() {
    try (SidecarProject p = new SidecarProject("sbpydi")) {
      p.composeUp(
          ComposeExamplesIT.env(),
          ComposeExamplesIT.EXAMPLES.resolve("python-dropin/docker-compose.yml"));
      String sidecar = p.service("backup");
      ComposeExamplesIT.awaitDaemon(sidecar);
      // the Python docs' mount only: no socket where Docker's default says
      assertNotEquals(0, exec(sidecar, "test", "-e", "/var/run/docker.sock").exit());
      ok(exec(sidecar, "test", "-S", "/tmp/docker.sock"));

      // the repository as the Python tool left it: initialised, three of its snapshots
      ok(exec(sidecar, "restic", "init"));
      String hostA = containerId();
      String hostB = containerId();
      String hostC = containerId();
      ok(
          exec(
              sidecar,
              "sh",
              "-c",
              "mkdir -p /volumes/web/srv/data /databases/db"
                  + " && echo old > /volumes/web/srv/data/index.html"
                  + " && echo '-- dump' > /databases/db/all_databases.sql"));
      pythonSnapshot(sidecar, hostA, "2025-01-01 10:00:00", "/volumes", "/databases");
      pythonSnapshot(sidecar, hostB, "2025-01-01 11:00:00", "/volumes", "/databases");
      pythonSnapshot(sidecar, hostC, "2025-01-01 12:00:00", "/volumes");
      ok(exec(sidecar, "rm", "-rf", "/volumes", "/databases"));

      // two backups the way the Python docs say; each ends with forget + prune + check
      Result first = ok(exec(sidecar, "rcb", "backup"));
      Result second = ok(exec(sidecar, "rcb", "--log-level", "debug", "backup"));
      assertTrue(second.err().contains(" DEBUG "), second::toString);
      assertTrue(!first.err().contains(" DEBUG "), first::toString);

      List<String> steps = ComposeExamplesIT.stepNames(lastRecord(sidecar));
      assertTrue(steps.containsAll(List.of("forget + prune", "check")), steps.toString());

      // maintenance keeping one snapshot per group: ours drop to one per path, the Python
      // tool's three (two of them in one group) all stay
      ok(keepOne(sidecar, "rcb", "maintenance"));
      JsonNode all = SidecarProject.snapshots(sidecar);
      Map<String, List<String>> ours = ours(all);
      assertEquals(
          Map.of(
              "files", List.of("/volumes/files/files"),
              "web", List.of("/volumes/web/srv/data")),
          ours,
          all.toString());
      assertEquals(List.of(hostA, hostB, hostC), legacyHosts(all), all.toString());

      Result listed = ok(exec(sidecar, "rcb", "snapshots"));
      assertTrue(listed.out().contains("python stack-back (legacy) (3"), listed::toString);
      assertTrue(listed.out().contains("host " + hostA), listed::toString);

      Result noYes = exec(sidecar, "rcb", "legacy", "--forget");
      assertEquals(1, noYes.exit(), noYes::toString);
      assertTrue(noYes.err().contains("add --yes"), noYes::toString);
      assertEquals(3, legacyHosts(SidecarProject.snapshots(sidecar)).size());

      // by RESTIC_KEEP_*, grouped by paths as the Python tool did: A and B share their paths and
      // their day, so B (the newer) is kept; C is alone in its group
      Result policy = ok(keepOne(sidecar, "rcb", "legacy", "--forget", "--yes"));
      assertTrue(policy.out().contains("forgot 1 of 3"), policy::toString);
      assertEquals(List.of(hostB, hostC), legacyHosts(SidecarProject.snapshots(sidecar)));

      Result gone = ok(exec(sidecar, "rcb", "legacy", "--forget-all", "--yes"));
      assertTrue(gone.out().contains("forgot 2 of 2"), gone::toString);
      JsonNode after = SidecarProject.snapshots(sidecar);
      assertEquals(List.of(), legacyHosts(after));
      assertEquals(ours, ours(after), "ours untouched");
      ok(exec(sidecar, "restic", "check"));
    }
  }

  @Test
  void noSocketAnywhere_namesBothPathsAndDockerHost_exit1() {
    Result none =
        SidecarProject.docker(
            Duration.ofSeconds(60),
            "run",
            "--rm",
            "--label",
            SidecarProject.RUN_LABEL + "=sbpysock",
            "-e",
            "RESTIC_REPOSITORY=/tmp/repo",
            "-e",
            "RESTIC_PASSWORD=x",
            SidecarProject.IMAGE,
            "stack-back",
            "backup");
    assertEquals(1, none.exit(), none::toString);
    assertTrue(
        none.err()
            .contains(
                "no Docker socket at /var/run/docker.sock or /tmp/docker.sock (DOCKER_HOST is not"
                    + " set)"),
        none::toString);
    Result wrong =
        SidecarProject.docker(
            Duration.ofSeconds(60),
            "run",
            "--rm",
            "--label",
            SidecarProject.RUN_LABEL + "=sbpysock",
            "-e",
            "RESTIC_REPOSITORY=/tmp/repo",
            "-e",
            "RESTIC_PASSWORD=x",
            "-e",
            "DOCKER_HOST=unix://tmp/docker.sock",
            SidecarProject.IMAGE,
            "stack-back",
            "backup");
    assertEquals(1, wrong.exit(), wrong::toString);
    assertTrue(
        wrong
            .err()
            .contains("no Docker socket at /tmp/docker.sock (DOCKER_HOST=unix://tmp/docker.sock)"),
        wrong::toString);
  }

  /**
   * {@code docker exec} in the sidecar with RESTIC_KEEP_DAILY=1 and the other counts 0: one
   * snapshot per group, whatever the restic version (restic 0.17+ also keeps the oldest snapshot
   * while a bucket count is not filled, so the env file's 7/4/12/3 keeps both of two snapshots of a
   * day).
   */
  private static Result keepOne(String sidecar, String... command) {
    List<String> a = new ArrayList<>(List.of("exec"));
    for (String kv :
        List.of(
            "RESTIC_KEEP_DAILY=1",
            "RESTIC_KEEP_WEEKLY=0",
            "RESTIC_KEEP_MONTHLY=0",
            "RESTIC_KEEP_YEARLY=0")) {
      a.addAll(List.of("-e", kv));
    }
    a.add(sidecar);
    a.addAll(List.of(command));
    return SidecarProject.docker(Duration.ofMinutes(3), a.toArray(String[]::new));
  }

  /** A 64-hex container id, what the Python tool's backup container had as its hostname. */
  private static String containerId() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** What the Python tool's {@code restic backup} made: no tags, its host, absolute paths. */
  private static void pythonSnapshot(String sidecar, String host, String time, String... paths) {
    List<String> argv =
        new ArrayList<>(List.of("restic", "backup", "--host", host, "--time", time));
    argv.addAll(List.of(paths));
    ok(exec(sidecar, argv.toArray(String[]::new)));
  }

  private static Map<String, List<String>> ours(JsonNode snapshots) {
    Map<String, List<String>> out = new TreeMap<>();
    snapshots.forEach(
        s -> {
          List<String> tags = ComposeExamplesIT.strings(s.path("tags"));
          if (tags.contains("stack-back")) {
            String service =
                tags.stream()
                    .filter(t -> t.startsWith("service="))
                    .findFirst()
                    .orElseThrow()
                    .substring(8);
            assertEquals(
                null,
                out.put(service, ComposeExamplesIT.strings(s.path("paths"))),
                "one of " + service);
          }
        });
    return out;
  }

  /** Hosts of the untagged snapshots, oldest first. */
  private static List<String> legacyHosts(JsonNode snapshots) {
    List<String> hosts = new ArrayList<>();
    snapshots.forEach(
        s -> {
          if (!s.has("tags") || s.path("tags").isEmpty()) {
            hosts.add(s.path("hostname").asText());
          }
        });
    return hosts;
  }

  private static JsonNode lastRecord(String sidecar) {
    List<JsonNode> records = SidecarProject.runRecords(sidecar);
    return records.get(records.size() - 1);
  }
}
