package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stackback.it.SidecarProject.Result;
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
 * The 3-node swarm lab of the swarm ITs (scripts/swarm-lab.sh): its directory comes as {@code
 * SWARM_LAB_DIR} (Maven's swarm profile) or {@code -Dstackback.swarm.lab}; node N's engine is at
 * {@code <dir>/nodeN/docker.sock}. Node 1 is the manager.
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

  /** Node {@code n}'s engine. */
  static String sock(int n) {
    return "unix://" + LAB + "/node" + n + "/docker.sock";
  }

  /** {@code docker args...} against node {@code n} (bounded by 3 minutes). */
  static Result node(int n, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker", "-H", sock(n)));
    argv.addAll(List.of(args));
    return SidecarProject.command(Duration.ofMinutes(3), argv, Map.of());
  }

  static Result ok(Result r) {
    return SidecarProject.ok(r);
  }

  /**
   * {@code docker stack deploy} of {@code file} as {@code stack} on the manager. The lab's raft
   * store sometimes answers a network creation with "DeadlineExceeded" (two managers on two busy
   * cores) although the network is then committed, so the next deploy can meet it half-visible
   * ("name conflicts with an existing object"): both are tried again, after a pause, up to 5 times;
   * any other failure, or a conflict on the first try, fails at once.
   */
  static void deploy(Path file, String stack) {
    Result r = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      r = node(1, "stack", "deploy", "--resolve-image", "never", "-c", file.toString(), stack);
      String said = r.out() + r.err();
      boolean raftSlow =
          said.contains("DeadlineExceeded")
              || (attempt > 1 && said.contains("name conflicts with an existing object"));
      if (r.exit() == 0 || !raftSlow) {
        break;
      }
      SidecarProject.poll(Duration.ofSeconds(5), () -> false);
    }
    ok(r);
  }

  /** psql as {@code appuser} on database {@code app} in container {@code db} of node {@code n}. */
  static String psql(int n, String db, String sql) {
    return ok(node(
            n,
            "exec",
            db,
            "psql",
            "-X",
            "-tA",
            "-v",
            "ON_ERROR_STOP=1",
            "-U",
            "appuser",
            "-d",
            "app",
            "-c",
            sql))
        .out()
        .strip();
  }

  /** Until the database server in container {@code db} of node {@code n} accepts connections. */
  static void awaitPostgres(int n, String db) {
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              Result logs = node(n, "logs", db);
              return (logs.out() + logs.err()).contains("ready to accept connections")
                  && node(n, "exec", db, "pg_isready", "-q").exit() == 0;
            }),
        "postgres never got ready: " + node(n, "logs", db));
  }

  /** The running containers of a swarm service on node {@code n}. */
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

  /**
   * The container id of service {@code service}'s running task on node {@code n} once its daemon is
   * ready (it repairs interrupted runs first, under the run lock).
   */
  static String sidecar(int n, String service) {
    String[] id = new String[1];
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(90),
            () -> {
              id[0] = running(n, service).stream().findFirst().orElse(null);
              return id[0] != null;
            }),
        "the sidecar task never ran: " + node(1, "service", "ps", "--no-trunc", service));
    assertTrue(
        SidecarProject.poll(
            Duration.ofSeconds(60),
            () -> {
              Result logs = node(n, "logs", id[0]);
              return (logs.out() + logs.err()).contains("next backup at");
            }),
        "the sidecar's daemon never got ready: " + node(n, "logs", id[0]));
    return id[0];
  }

  /** Removes stack {@code stack} and, on each of {@code nodes}, its containers and volumes. */
  static void removeStack(String stack, Collection<Integer> nodes) {
    node(1, "stack", "rm", stack);
    for (int n : nodes.stream().distinct().toList()) {
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
  }

  /** A new empty directory for a test's repository (the lab's nodes see the host's /tmp). */
  static Path newRepo(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a test's repository directory and everything in it. */
  static void deleteRepo(Path repo) throws IOException {
    try (Stream<Path> files = Files.walk(repo)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
