package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.SidecarProject.Result;
import dev.stackback.lock.EngineLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One test's stack on the 3-node swarm lab (issue 11): scripts/swarm-lab.sh, whose directory comes
 * as {@code SWARM_LAB_DIR} (Maven's swarm profile) or {@code -Dstackback.swarm.lab}. Node 1 is the
 * manager; the sidecar runs there, pinned, with node 1's socket. Each stack ({@code
 * <prefix><random>}) has its own repository directory; {@link #remove} removes the stack, its
 * volumes and repository.
 */
final class SwarmStack {
  static final String IMAGE = SidecarProject.IMAGE;
  static final String BUSYBOX = SidecarProject.BUSYBOX;
  static final String PASSWORD = "swarm-it-not-secret";
  static final String LAB = SwarmLab.LAB;

  final String name;
  final Path repo;
  private final List<Integer> nodesWithVolumes = new ArrayList<>();

  SwarmStack(String prefix) {
    name = prefix + UUID.randomUUID().toString().substring(0, 6);
    try {
      repo = Files.createTempDirectory("swarm-it-repo");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deploys {@code services} and the sidecar (pinned to node1) with {@code sidecarEnv} lines. */
  void deploy(String services, String... sidecarEnv) {
    deploy(
        services,
        List.of(sidecarEnv),
        List.of("endpoint_mode: dnsrr", "placement: {constraints: [node.hostname == node1]}"),
        "");
  }

  /**
   * Deploys {@code services} (compose text indented by two) and the sidecar {@code backup} with
   * {@code sidecarEnv} lines ({@code NAME: value}) and {@code sidecarDeploy} (lines of its deploy
   * section), then {@code topLevel} (e.g. a networks section) and volume {@code data}.
   */
  void deploy(
      String services, List<String> sidecarEnv, List<String> sidecarDeploy, String topLevel) {
    StringBuilder y = new StringBuilder("version: \"3.8\"\nservices:\n").append(services);
    y.append("  backup:\n    image: ").append(IMAGE).append('\n');
    y.append("    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n");
    y.append("      - ").append(repo).append(':').append(repo).append('\n');
    y.append("    environment:\n      RESTIC_REPOSITORY: ").append(repo).append('\n');
    y.append("      RESTIC_PASSWORD: ").append(PASSWORD).append('\n');
    y.append("      SWARM_MODE: \"true\"\n      CRON_SCHEDULE: \"0 0 1 1 *\"\n");
    sidecarEnv.forEach(e -> y.append("      ").append(e).append('\n'));
    y.append("    healthcheck: {disable: true}\n    deploy:\n");
    sidecarDeploy.forEach(d -> y.append("      ").append(d).append('\n'));
    y.append(topLevel).append("volumes:\n  data: {}\n");
    try {
      Files.writeString(file(), y.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    nodesWithVolumes.addAll(List.of(1, 2, 3));
    SwarmLab.deploy(file(), name);
  }

  /**
   * Deploys {@code services} and stack-back as a global service with {@code AGENT_TOKEN}: the
   * coordinator on node1 (the manager), an agent on every other node; one attachable overlay
   * network.
   */
  void deployGlobal(String services, String token) {
    deploy(
        services,
        List.of("AGENT_TOKEN: " + token),
        List.of("mode: global", "endpoint_mode: dnsrr"),
        "networks:\n  default:\n    driver: overlay\n    attachable: true\n");
  }

  /**
   * The container id of the agent on node {@code n} once it listens and the manager reports its
   * task running (with a healthcheck only after its first healthy check: until then the coordinator
   * does not count it as that node's agent).
   */
  String agent(int n) {
    String[] id = new String[1];
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () ->
                running(n, name + "_backup").stream()
                    .anyMatch(
                        c -> {
                          Result logs = node(n, "logs", c);
                          id[0] = c;
                          return (logs.out() + logs.err())
                              .contains("stack-back agent of this node on port");
                        })),
        "the agent on node " + n + " never listened");
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () ->
                node(
                        1,
                        "service",
                        "ps",
                        "--filter",
                        "node=node" + n,
                        "--filter",
                        "desired-state=running",
                        "--format",
                        "{{.CurrentState}}",
                        name + "_backup")
                    .out()
                    .strip()
                    .startsWith("Running")),
        "the manager never reported the agent's task on node "
            + n
            + " running: "
            + node(1, "service", "ps", "--no-trunc", name + "_backup"));
    return id[0];
  }

  /** The stack file {@link #deploy} wrote. */
  Path file() {
    return repo.resolveSibling(repo.getFileName() + ".yml");
  }

  /** Volumes on node {@code n} to remove afterwards (for a stack deployed another way). */
  void volumesOn(int n) {
    nodesWithVolumes.add(n);
  }

  /** The running sidecar's container id on node 1, with an initialised repository. */
  String sidecar() {
    String[] id = new String[1];
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              id[0] = running(1, name + "_backup").stream().findFirst().orElse(null);
              return id[0] != null;
            }),
        "the sidecar task never ran: " + node(1, "service", "ps", "--no-trunc", name + "_backup"));
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

  /** The pid of the run holding the stack's engine lock (in the sidecar). */
  String runPid() {
    return ok(node(
            1,
            "inspect",
            "-f",
            "{{index .Config.Labels \"stack-back.lock.pid\"}}",
            EngineLock.name(name)))
        .out()
        .strip();
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
    ok(node(1, "exec", sidecar, "kill", "-9", runPid()));
  }

  /** {@code stack-back backup} in the sidecar. */
  Result backup(String sidecar) {
    return node(1, "exec", sidecar, "stack-back", "backup");
  }

  /** A service's running containers on node {@code n} once at least {@code count} run. */
  List<String> atLeast(int n, String service, int count) {
    return awaitContainers(n, service, c -> c >= count, Duration.ofSeconds(90));
  }

  /** A service's running containers on node {@code n} once {@code count} run (or after 60 s). */
  List<String> awaitContainers(int n, String service, int count) {
    return awaitContainers(n, service, c -> c == count, Duration.ofSeconds(60));
  }

  private static List<String> awaitContainers(
      int n, String service, java.util.function.IntPredicate done, Duration timeout) {
    AtomicReference<List<String>> ids = new AtomicReference<>(List.of());
    SidecarProject.poll(
        timeout,
        () -> {
          ids.set(running(n, service));
          return done.test(ids.get().size());
        });
    return ids.get();
  }

  static List<String> running(int n, String service) {
    return SwarmLab.running(n, service);
  }

  static String replicas(String service) {
    return inspect(service, "{{.Spec.Mode.Replicated.Replicas}}");
  }

  /** {@code docker service inspect -f format service} on the manager. */
  static String inspect(String service, String format) {
    return ok(node(1, "service", "inspect", "-f", format, service)).out().strip();
  }

  /** A service's labels that start with stack-back., as JSON. */
  static String ourServiceLabels(String service) {
    String json = inspect(service, "{{json .Spec.Labels}}");
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
    return SwarmLab.sock(n);
  }

  /** {@code docker -H <node n> args...}. */
  static Result node(int n, String... args) {
    return SwarmLab.node(n, args);
  }

  static Result ok(Result r) {
    return SidecarProject.ok(r);
  }

  /** Removes the stack, then its volumes on every node it had some, then its repository. */
  void remove() throws IOException {
    SwarmLab.removeStack(name, nodesWithVolumes);
    Files.deleteIfExists(file());
    try (Stream<Path> files = Files.walk(repo)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
