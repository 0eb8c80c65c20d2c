package dev.stackback.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stackback.cli.RealApp;
import dev.stackback.cli.StackBackCommand;
import dev.stackback.it.TestEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Real database containers, a restic repository and the CLI run in-process, for the database ITs.
 * Everything it creates carries a unique compose project and is removed by {@link #close()}; set-up
 * goes through the docker CLI so it does not depend on the code under test.
 */
final class DbFixture implements AutoCloseable {
  static final String POSTGRES_IMAGE = "stack-back-test/postgres:15";
  static final String MARIADB_IMAGE = "stack-back-test/mariadb:10.11";
  static final String BUSYBOX_IMAGE = "stack-back-test/busybox:latest";
  static final String RESTIC_PASSWORD = "restic-test-password";

  final String project;
  final Path dir;
  final Path repo;
  final String self;
  private final List<String> containers = Collections.synchronizedList(new ArrayList<>());

  DbFixture(String what) {
    TestEngine.checkExpected();
    this.project = "sbdb" + what + UUID.randomUUID().toString().substring(0, 8);
    try {
      this.dir = Files.createTempDirectory("stack-back-" + project + "-");
      this.repo = Files.createDirectories(dir.resolve("repo"));
      Files.createDirectories(dir.resolve("state"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // stands for the stack-back container: its project is the scope, its mounts the repository's
    this.self =
        run(
            "backup",
            BUSYBOX_IMAGE,
            Map.of(),
            Map.of(),
            List.of("-v", repo + ":" + repo),
            "sh",
            "-c",
            "trap 'exit 0' TERM; sleep 3600 & wait");
  }

  /** Environment of the CLI: repository, password, state dir, our stand-in container. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", repo.toString());
    env.put("RESTIC_PASSWORD", RESTIC_PASSWORD);
    env.put("STATE_DIR", dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", self);
    env.put("PATH", System.getenv("PATH"));
    env.put("DOCKER_HOST", TestEngine.dockerHost());
    return env;
  }

  /** What one CLI invocation did. */
  record Cli(int exit, String out, String err) {
    String all() {
      return out + "\n" + err;
    }
  }

  /** Runs {@code stack-back args...} in-process with {@link #env()}. */
  Cli cli(String... args) {
    return cli(Map.of(), args);
  }

  /** Runs {@code stack-back args...} in-process with {@link #env()} plus {@code extraEnv}. */
  Cli cli(Map<String, String> extraEnv, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Map<String, String> env = env();
    env.putAll(extraEnv);
    CommandLine cl = StackBackCommand.commandLine(new RealApp(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Cli(exit, out.toString(), err.toString());
  }

  /** Starts a container of service {@code service} in our project; returns its name. */
  String run(
      String service,
      String image,
      Map<String, String> labels,
      Map<String, String> env,
      List<String> extra,
      String... command) {
    String name = project + "_" + service + "_" + UUID.randomUUID().toString().substring(0, 4);
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
    args.addAll(List.of("--label", "com.docker.compose.project=" + project));
    args.addAll(List.of("--label", "com.docker.compose.service=" + service));
    labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
    new LinkedHashMap<>(env).forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
    args.addAll(List.of("--stop-timeout", "5"));
    args.addAll(extra);
    args.add(image);
    args.addAll(List.of(command));
    containers.add(name);
    docker(args.toArray(String[]::new));
    return name;
  }

  /**
   * A labelled Postgres service {@code service} with database {@code app}, user {@code appuser},
   * password {@code pw}; returns its name (not yet accepting connections: {@link #awaitPostgres}).
   */
  String postgresApp(String service) {
    return run(
        service,
        POSTGRES_IMAGE,
        Map.of("stack-back.postgres", "true"),
        Map.of("POSTGRES_USER", "appuser", "POSTGRES_PASSWORD", "pw", "POSTGRES_DB", "app"),
        List.of());
  }

  /**
   * A busybox service {@code service} whose anonymous volume {@code /data} is labelled for backup;
   * it runs {@code script} first, then idles until SIGTERM. Returns its name.
   */
  String volumeApp(String service, String script) {
    return run(
        service,
        BUSYBOX_IMAGE,
        Map.of("stack-back.volumes", "true"),
        Map.of(),
        List.of("-v", "/data"),
        "sh",
        "-c",
        script + "trap 'exit 0' TERM; sleep 3600 & wait");
  }

  /** Removes {@code container} with the others at the end. */
  void adopt(String container) {
    containers.add(container);
  }

  /** A file under our directory with {@code content}, e.g. a secret to mount. */
  Path file(String name, String content) {
    try {
      Path p = dir.resolve(name);
      Files.writeString(p, content);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code docker exec container check...} exits 0 (up to a minute). */
  void awaitReady(String container, String... check) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> args = new ArrayList<>(List.of("exec", container));
    args.addAll(List.of(check));
    while (true) {
      Result r = exec(args, null);
      if (r.exit() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        fail(
            container
                + " not ready: "
                + r.output()
                + "\n"
                + exec(List.of("logs", container), null).output());
      }
      sleep(200);
    }
  }

  void awaitPostgres(String container) {
    awaitReady(container, "pg_isready", "-q");
  }

  void awaitMariadb(String container) {
    awaitReady(container, "mariadb-admin", "--no-defaults", "-uhealth-check", "ping");
  }

  /** {@code docker exec c sh -c script}; fails the test unless it exits 0. Returns stdout. */
  String sh(String container, String script) {
    return docker("exec", container, "sh", "-c", script);
  }

  /** psql in a Postgres container: the query's rows, one per line ({@code -tA}). */
  String psql(String container, String user, String db, String sql) {
    return docker(
        "exec",
        container,
        "psql",
        "-X",
        "-tA",
        "-v",
        "ON_ERROR_STOP=1",
        "-U",
        user,
        "-d",
        db,
        "-c",
        sql);
  }

  /** mariadb in a MariaDB container as root with {@code password}: the rows, tab-separated. */
  String mariadb(String container, String password, String sql) {
    return docker(
        "exec",
        "-e",
        "MYSQL_PWD=" + password,
        container,
        "mariadb",
        "-uroot",
        "-N",
        "-B",
        "-e",
        sql);
  }

  /**
   * {@code restic dump <snapshot> <path> | docker exec -i <container> <client...>}: how a user
   * restores by hand, with the docker CLI (its stdin reaches EOF).
   */
  String restoreByHand(String snapshotId, String path, String container, String... client) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "p=$1; shift; restic dump \"$0\" \"$p\" | docker exec -i \"$@\"",
                snapshotId,
                path,
                container));
    argv.addAll(List.of(client));
    Result r =
        process(
            argv, Map.of("RESTIC_REPOSITORY", repo.toString(), "RESTIC_PASSWORD", RESTIC_PASSWORD));
    assertEquals(0, r.exit(), "restore by hand failed: " + r.output());
    return r.output();
  }

  /** {@code restic snapshots --json} of the repository, as restic's JSON text. */
  String snapshotsJson() {
    Result r =
        process(
            List.of("restic", "snapshots", "--json"),
            Map.of("RESTIC_REPOSITORY", repo.toString(), "RESTIC_PASSWORD", RESTIC_PASSWORD));
    assertEquals(0, r.exit(), r.output());
    return r.output();
  }

  /** The ids of the snapshots whose paths include {@code path}. */
  List<String> snapshotIds(String path) {
    List<String> ids = new ArrayList<>();
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    try {
      for (var node : mapper.readTree(snapshotsJson())) {
        for (var p : node.path("paths")) {
          if (p.asText().equals(path)) {
            ids.add(node.path("id").asText());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ids;
  }

  int snapshotCount() {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(snapshotsJson()).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code restic list locks}: must be empty after any run. */
  String locks() {
    Result r =
        process(
            List.of("restic", "list", "locks", "--no-lock"),
            Map.of("RESTIC_REPOSITORY", repo.toString(), "RESTIC_PASSWORD", RESTIC_PASSWORD));
    assertEquals(0, r.exit(), r.output());
    return r.output().trim();
  }

  boolean running(String container) {
    return docker("inspect", "-f", "{{.State.Running}}", container).equals("true");
  }

  static String docker(String... args) {
    List<String> argv = new ArrayList<>(List.of(args));
    Result r = exec(argv, null);
    if (r.exit() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r.output());
    }
    return r.stdout().trim();
  }

  record Result(int exit, String stdout, String output) {}

  static Result exec(List<String> dockerArgs, Map<String, String> env) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(dockerArgs);
    return process(argv, env);
  }

  static Result process(List<String> argv, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(argv);
      if (env != null) {
        pb.environment().putAll(env);
      }
      Path err = Files.createTempFile("sbdb-stderr", ".txt");
      pb.redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(argv + " hung");
      }
      String stdout = new String(out, StandardCharsets.UTF_8);
      String stderr = Files.readString(err);
      Files.deleteIfExists(err);
      return new Result(p.exitValue(), stdout, stdout + stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    List<String> names;
    synchronized (containers) {
      names = new ArrayList<>(containers);
    }
    if (!names.isEmpty()) {
      List<String> args = new ArrayList<>(List.of("rm", "-f", "-v"));
      args.addAll(names);
      exec(args, null);
    }
    // the repository belongs to root inside containers too; remove what we made
    process(List.of("rm", "-rf", dir.toString()), null);
  }
}
