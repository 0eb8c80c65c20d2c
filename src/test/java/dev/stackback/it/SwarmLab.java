package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The 3-node swarm lab of the swarm ITs (scripts/swarm-lab.sh), shared by SwarmIT and SwarmAgentIT:
 * its directory comes as {@code SWARM_LAB_DIR} (Maven's swarm profile) or {@code
 * -Dstackback.swarm.lab}. Node 1 is the manager, nodes 2 and 3 are workers.
 */
final class SwarmLab {
  static final String LAB = labDir();

  private SwarmLab() {}

  private static String labDir() {
    String dir = System.getenv("SWARM_LAB_DIR");
    if (dir == null || dir.isBlank()) {
      dir = System.getProperty("stackback.swarm.lab", "");
    }
    if (dir.isBlank() || !Files.exists(Path.of(dir, "node1", "docker.sock"))) {
      fail(
          "the swarm ITs need the swarm lab: bash scripts/swarm-lab.sh up, then"
              + " -Dstackback.swarm.lab=$(bash scripts/swarm-lab.sh dir) (SWARM_LAB_DIR='"
              + dir
              + "')");
    }
    return dir;
  }

  static String sock(int n) {
    return "unix://" + LAB + "/node" + n + "/docker.sock";
  }

  /** {@code docker <args>} on node {@code n}. */
  static Result node(int n, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker", "-H", sock(n)));
    argv.addAll(List.of(args));
    return SidecarProject.command(Duration.ofMinutes(3), argv, Map.of());
  }

  static Result ok(Result r) {
    return SidecarProject.ok(r);
  }

  /** The running containers of swarm service {@code service} on node {@code n}. */
  static List<String> running(int n, String service) {
    String out =
        ok(node(
                n,
                "ps",
                "-q",
                "--no-trunc",
                "--filter",
                "label=com.docker.swarm.service.name=" + service))
            .out();
    return Arrays.stream(out.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** The run records in the sidecar container {@code sidecar} on node 1, oldest first. */
  static List<JsonNode> records(String sidecar) {
    List<JsonNode> all =
        SidecarProject.parseRecords(
            ok(node(1, "exec", sidecar, "sh", "-c", SidecarProject.CAT_RECORDS)).out());
    return all.stream().sorted(Comparator.comparing(r -> r.path("started").asText())).toList();
  }

  static JsonNode lastRecord(String sidecar) {
    List<JsonNode> all = records(sidecar);
    assertFalse(all.isEmpty(), "no run record");
    return all.get(all.size() - 1);
  }

  static JsonNode step(JsonNode record, String name) {
    for (JsonNode s : record.path("steps")) {
      if (name.equals(s.path("name").asText())) {
        return s;
      }
    }
    throw new AssertionError("no step '" + name + "' in " + record);
  }
}
