package dev.stackback.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real containers and volumes for the integration tests, made with the {@code docker} CLI (so the
 * set-up does not depend on the code under test). Everything it creates carries a unique run id in
 * its name and the label {@value #RUN_LABEL}; {@link #close()} removes exactly what it created, and
 * nothing else, also when a test failed.
 *
 * <p>Containers look like Docker Compose made them ({@code com.docker.compose.project/service}
 * labels), so no docker-compose is needed.
 */
final class DockerFixture implements AutoCloseable {
  static final String IMAGE = "stack-back-test/busybox:latest";

  /** Outside the {@code stack-back.} prefix, so the label parser does not warn about it. */
  static final String RUN_LABEL = "dev.stackback.it.run";

  /** Busybox {@code sleep} as PID 1 ignores SIGTERM; this shell stops at once. */
  static final String IDLE = "trap 'exit 0' TERM; sleep 3600 & wait";

  final String run;
  final Path dir;
  private final List<String> containers = Collections.synchronizedList(new ArrayList<>());
  private final List<String> volumes = Collections.synchronizedList(new ArrayList<>());

  private DockerFixture(String run, Path dir) {
    this.run = run;
    this.dir = dir;
  }

  /** A fixture with its own run id and a host directory under /tmp (bind-mountable). */
  static DockerFixture create(String name) {
    String run = "sbit-" + name + "-" + UUID.randomUUID().toString().substring(0, 6);
    try {
      return new DockerFixture(run, Files.createDirectories(Path.of("/tmp", run)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A compose project name unique to this fixture. */
  String project(String name) {
    return run + "-" + name;
  }

  /** A host directory under this fixture's directory (created). */
  Path hostDir(String name) {
    try {
      return Files.createDirectories(dir.resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a named volume {@code <run>-<name>}. */
  String volume(String name) {
    String v = docker("volume", "create", "--label", RUN_LABEL + "=" + run, run + "-" + name);
    volumes.add(v);
    return v;
  }

  /** Starts describing a container of {@code service} in compose project {@code project}. */
  ContainerBuilder container(String project, String service) {
    return new ContainerBuilder(project, service);
  }

  /** {@code docker exec <container> sh -c <script>}; fails unless it exits 0. */
  String exec(String container, String script) {
    return docker("exec", container, "sh", "-c", script);
  }

  /** The state of a container that matters to the tests. */
  record State(String id, boolean running, String startedAt) {}

  State state(String container) {
    String[] f =
        docker("inspect", "-f", "{{.Id}} {{.State.Running}} {{.State.StartedAt}}", container)
            .split(" ");
    return new State(f[0], Boolean.parseBoolean(f[1]), f[2]);
  }

  /**
   * The address of the host on Docker's default bridge ({@code docker0}, e.g. 172.17.0.1): a server
   * the tests start on the host and bind there is reachable from the test JVM and from containers
   * on that bridge (worker containers of a host-jar run are), and from nowhere else.
   */
  static String bridgeGateway() {
    String gw =
        docker("network", "inspect", "bridge", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}");
    if (!gw.isBlank()) {
      return gw.strip();
    }
    try {
      var docker0 = java.net.NetworkInterface.getByName("docker0");
      if (docker0 != null) {
        for (var a : java.util.Collections.list(docker0.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address) {
            return a.getHostAddress();
          }
        }
      }
    } catch (java.net.SocketException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no address of Docker's default bridge (docker0) found");
  }

  /** Copies a directory out of a container to the host ({@code docker cp}). */
  Path copyOut(String container, String path, Path hostTarget) {
    docker("cp", container + ":" + path, hostTarget.toString());
    return hostTarget;
  }

  /** Describes one container; {@link #start()} runs it. */
  final class ContainerBuilder {
    private final String project;
    private final String service;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<String> options = new ArrayList<>();
    private String script = IDLE;
    private String image = IMAGE;

    private ContainerBuilder(String project, String service) {
      this.project = project;
      this.service = service;
    }

    ContainerBuilder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    ContainerBuilder labels(Map<String, String> more) {
      labels.putAll(more);
      return this;
    }

    /** {@code -v source:destination}: a volume name or an absolute host path. */
    ContainerBuilder mount(String source, String destination) {
      options.addAll(List.of("-v", source + ":" + destination));
      return this;
    }

    /** Extra {@code docker run} options, e.g. {@code --health-cmd}. */
    ContainerBuilder options(String... more) {
      options.addAll(List.of(more));
      return this;
    }

    ContainerBuilder env(String key, String value) {
      options.addAll(List.of("-e", key + "=" + value));
      return this;
    }

    /** The image to run (default {@link #IMAGE}); it needs {@code sh}. */
    ContainerBuilder image(String image) {
      this.image = image;
      return this;
    }

    /** The shell script the container runs (default: idle, stops at once on SIGTERM). */
    ContainerBuilder script(String script) {
      this.script = script;
      return this;
    }

    /** Runs it detached; returns its name ({@code <project>-<service>}). */
    String start() {
      String name = project + "-" + service;
      List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name));
      args.addAll(List.of("--label", RUN_LABEL + "=" + run));
      args.addAll(List.of("--label", "com.docker.compose.project=" + project));
      args.addAll(List.of("--label", "com.docker.compose.service=" + service));
      labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
      args.addAll(options);
      args.addAll(List.of(image, "sh", "-c", script));
      containers.add(name);
      docker(args.toArray(String[]::new));
      return name;
    }
  }

  /** Removes what this fixture created: its containers, its volumes, its host directory. */
  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (String c : List.copyOf(containers)) {
      Result r = run("rm", "-f", "-v", c);
      if (r.exit() != 0 && !r.output().contains("No such container")) {
        problems.add("rm " + c + ": " + r.output());
      }
    }
    for (String v : List.copyOf(volumes)) {
      Result r = run("volume", "rm", v);
      if (r.exit() != 0) {
        problems.add("volume rm " + v + ": " + r.output());
      }
    }
    deleteTree(dir);
    if (!problems.isEmpty()) {
      throw new AssertionError("clean-up left things behind: " + problems);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- the docker CLI ---

  record Result(int exit, String output) {}

  /** {@code docker args...}; fails the test unless it exits 0. Returns trimmed output. */
  static String docker(String... args) {
    Result r = run(args);
    if (r.exit() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r.output());
    }
    return r.output().trim();
  }

  static Result run(String... args) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(List.of(args));
    return command(argv, Map.of());
  }

  /** Runs a command with extra environment, output and error together, bounded to 2 minutes. */
  static Result command(List<String> argv, Map<String, String> env) {
    try {
      Path out = Files.createTempFile("sbit-cmd", ".out");
      try {
        ProcessBuilder pb =
            new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AssertionError(argv.get(0) + " " + argv.get(1) + " hung");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
