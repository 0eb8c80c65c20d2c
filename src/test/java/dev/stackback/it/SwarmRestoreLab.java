package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One test's stack on the 3-node swarm lab (scripts/swarm-lab.sh, issue 11), for the swarm ITs: the
 * lab's directory comes as {@code SWARM_LAB_DIR} (Maven's swarm profile) or {@code
 * -Dstackback.swarm.lab}. Node 1 is the manager; the sidecar runs there, pinned, with node 1's
 * socket. Each test deploys its own stack ({@code <prefix><random>}) and {@link #remove}s it, its
 * volumes and its repository afterwards.
 */
final class SwarmRestoreLab {
  static final String IMAGE = SidecarProject.IMAGE;
  static final String BUSYBOX = SidecarProject.BUSYBOX;
  static final String PASSWORD = "swarm-it-not-secret";
  private static final String LAB = labDir();

  /** The stack's name. */
  final String stack;

  /** The repository, a host directory mounted into the sidecar at the same path. */
  final Path repo;

  private final List<Integer> nodesWithVolumes = new ArrayList<>();

  SwarmRestoreLab(String prefix) {
    stack = prefix + UUID.randomUUID().toString().substring(0, 6);
    try {
      repo = Files.createTempDirectory("swarm-it-repo");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

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

  /**
   * Deploys {@code services} (compose YAML, indented as services) with the sidecar {@code backup}
   * pinned to node 1, {@code sidecarEnv} lines ("NAME: value") added to its environment, and a
   * volume {@code data}.
   */
  void deploy(String services, String... sidecarEnv) {
    String env = String.join("", Arrays.stream(sidecarEnv).map(e -> "      " + e + "\n").toList());
    String yaml =
        """
        version: "3.8"
        services:
        %s
          backup:
            image: %s
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock
              - %s:%s
            environment:
              RESTIC_REPOSITORY: %s
              RESTIC_PASSWORD: %s
              SWARM_MODE: "true"
              CRON_SCHEDULE: "0 0 1 1 *"
        %s
            healthcheck: {disable: true}
            deploy:
              endpoint_mode: dnsrr
              placement: {constraints: [node.hostname == node1]}
        volumes:
          data: {}
        """
            .formatted(services, IMAGE, repo, repo, repo, PASSWORD, env);
    Path file = repo.resolveSibling(repo.getFileName() + ".yml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    volumesOn(1, 2);
    ok(node(1, "stack", "deploy", "--resolve-image", "never", "-c", file.toString(), stack));
  }

  /**
   * Nodes whose volumes of the stack {@link #remove} removes (beside those {@link #deploy} adds).
   */
  void volumesOn(Integer... nodes) {
    nodesWithVolumes.addAll(List.of(nodes));
  }

  /** The running sidecar's container id on node 1, with an initialised repository. */
  String sidecar() {
    String[] id = new String[1];
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              id[0] = running(1, stack + "_backup").stream().findFirst().orElse(null);
              return id[0] != null;
            }),
        "the sidecar task never ran: " + node(1, "service", "ps", "--no-trunc", stack + "_backup"));
    // its daemon repairs interrupted runs first, under the run lock: wait until it is done
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () -> {
              Result logs = node(1, "logs", id[0]);
              return (logs.out() + logs.err()).contains("next backup at");
            }),
        "the sidecar's daemon never got ready: " + node(1, "logs", id[0]));
    ok(node(1, "exec", id[0], "restic", "init"));
    return id[0];
  }

  /**
   * Starts {@code stack-back args...} in the sidecar and returns it once it has scaled {@code
   * service} to 0 (fails after 60 s).
   */
  static SidecarProject.Running startUntilScaledToZero(
      String sidecar, String service, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("docker", "-H", sock(1), "exec", sidecar, "stack-back"));
    argv.addAll(List.of(args));
    SidecarProject.Running run = SidecarProject.start(argv, Map.of());
    assertTrue(
        SidecarProject.poll(Duration.ofSeconds(60), () -> "0".equals(replicas(service))),
        "stack-back " + String.join(" ", args) + " never scaled " + service + " to 0");
    return run;
  }

  /** {@code kill -9} of the run that holds the stack's engine lock, in the sidecar. */
  void killRun(String sidecar) {
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

  /** A service's running containers on node {@code n} once {@code count} run (or after 60 s). */
  static List<String> awaitContainers(int n, String service, int count) {
    AtomicReference<List<String>> ids = new AtomicReference<>(List.of());
    SidecarProject.poll(
        Duration.ofSeconds(60),
        () -> {
          ids.set(running(n, service));
          return ids.get().size() == count;
        });
    return ids.get();
  }

  /** A service's running containers on node {@code n}. */
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

  /** The replica count in a service's spec. */
  static String replicas(String service) {
    return ok(node(1, "service", "inspect", "-f", "{{.Spec.Mode.Replicated.Replicas}}", service))
        .out()
        .strip();
  }

  /** A service's labels that start with stack-back., as JSON. */
  static String ourServiceLabels(String service) {
    String json = ok(node(1, "service", "inspect", "-f", "{{json .Spec.Labels}}", service)).out();
    StringBuilder out = new StringBuilder("{");
    SidecarProject.json(json)
        .properties()
        .forEach(
            e -> {
              if (e.getKey().startsWith("stack-back.")) {
                out.append(out.length() > 1 ? "," : "")
                    .append('"')
                    .append(e.getKey())
                    .append("\":\"")
                    .append(e.getValue().asText())
                    .append('"');
              }
            });
    return out.append('}').toString();
  }

  /** The sidecar's run records, oldest first. */
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

  static String sock(int n) {
    return "unix://" + LAB + "/node" + n + "/docker.sock";
  }

  /** {@code docker -H <node n> args...}, bounded. */
  static Result node(int n, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker", "-H", sock(n)));
    argv.addAll(List.of(args));
    return SidecarProject.command(Duration.ofMinutes(3), argv, Map.of());
  }

  static Result ok(Result r) {
    return SidecarProject.ok(r);
  }

  /** Removes the stack, its volumes on the nodes that may hold them, and its repository. */
  void remove() throws IOException {
    node(1, "stack", "rm", stack);
    for (int n : nodesWithVolumes.stream().distinct().toList()) {
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
}
