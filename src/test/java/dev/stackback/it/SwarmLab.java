package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.lock.EngineLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

  /** A new empty directory under /tmp for a test's repository (every lab node sees /tmp). */
  static Path newRepository(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Kills (-9) the run of {@code stack} that holds its engine lock, in the sidecar {@code sidecar}
   * on node 1.
   */
  static void killRun(String stack, String sidecar) {
    String pid =
        ok(node(
                1,
                "inspect",
                "-f",
                "{{index .Config.Labels \"stack-back.lock.pid\"}}",
                EngineLock.name(stack)))
            .out()
            .strip();
    ok(node(1, "exec", sidecar, "kill", "-9", pid));
  }

  /** The replica count of swarm service {@code service}. */
  static String replicas(String service) {
    return ok(node(1, "service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", service))
        .out()
        .strip();
  }

  /** {@code stack-back backup} in the sidecar container {@code sidecar} on node 1. */
  static Result backup(String sidecar) {
    return node(1, "exec", sidecar, "stack-back", "backup");
  }

  /**
   * A stack file: {@code services} (compose text indented by two) and the stack-back service {@code
   * backup} ({@link SidecarProject#IMAGE}, node's Docker socket, the repository {@code repo} at the
   * same path, SWARM_MODE) with {@code env} (lines {@code NAME: value}) and {@code deploy} (lines
   * of its deploy section), then {@code topLevel} (e.g. a networks section) and volume {@code
   * data}.
   */
  static String stackFile(
      String services,
      Path repo,
      String password,
      List<String> env,
      List<String> deploy,
      String topLevel) {
    StringBuilder y = new StringBuilder("version: \"3.8\"\nservices:\n").append(services);
    y.append("  backup:\n    image: ").append(SidecarProject.IMAGE).append('\n');
    y.append("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n");
    y.append("      - ").append(repo).append(':').append(repo).append('\n');
    y.append("    environment:\n      RESTIC_REPOSITORY: ").append(repo).append('\n');
    y.append("      RESTIC_PASSWORD: ").append(password).append('\n');
    y.append("      SWARM_MODE: \"true\"\n      CRON_SCHEDULE: \"0 0 1 1 *\"\n");
    env.forEach(e -> y.append("      ").append(e).append('\n'));
    y.append("    healthcheck: {disable: true}\n    deploy:\n");
    deploy.forEach(d -> y.append("      ").append(d).append('\n'));
    return y.append(topLevel).append("volumes:\n  data: {}\n").toString();
  }

  /** Deploys {@code yaml} as {@code stack}; the file lies next to the test's repository. */
  static void deploy(String stack, Path repo, String yaml) {
    Path file = repo.resolveSibling(repo.getFileName() + ".yml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ok(node(1, "stack", "deploy", "--resolve-image", "never", "-c", file.toString(), stack));
  }

  /**
   * Removes {@code stack}, its containers and volumes on {@code nodes}, its stack file and the
   * repository {@code repo}.
   */
  static void removeStack(String stack, Path repo, Collection<Integer> nodes) throws IOException {
    node(1, "stack", "rm", stack);
    for (int n : nodes) {
      SidecarProject.poll(
          Duration.ofSeconds(60),
          () ->
              ok(node(n, "ps", "-aq", "--filter", "label=com.docker.stack.namespace=" + stack))
                  .out()
                  .isBlank());
      SidecarProject.poll(
          Duration.ofSeconds(30),
          () -> {
            String volumes =
                ok(node(
                        n,
                        "volume",
                        "ls",
                        "-q",
                        "--filter",
                        "label=com.docker.stack.namespace=" + stack))
                    .out();
            boolean removed = true;
            for (String v : volumes.split("\n")) {
              if (!v.isBlank()) {
                removed &= node(n, "volume", "rm", v.strip()).exit() == 0;
              }
            }
            return removed;
          });
    }
    Files.deleteIfExists(repo.resolveSibling(repo.getFileName() + ".yml"));
    try (Stream<Path> files = Files.walk(repo)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
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
