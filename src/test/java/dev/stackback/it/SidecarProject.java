package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A project of real containers around the sidecar image ({@code stack-back:local}), made with the
 * {@code docker} and {@code docker-compose} CLIs only (independent of the code under test). Its
 * name is unique; {@link #close()} removes exactly the containers and volumes it made (or {@code
 * docker-compose down -v} of its own compose project), also when a test failed.
 */
final class SidecarProject implements AutoCloseable {
  static final String IMAGE = SidecarImageIT.IMAGE;
  static final String BUSYBOX = SidecarImageIT.TARGET_IMAGE;
  static final String RUN_LABEL = SidecarImageIT.RUN_LABEL;
  static final String IDLE = DockerFixture.IDLE;
  static final String PASSWORD = "sidecar-it-not-secret";
  static final ObjectMapper JSON = new ObjectMapper();

  final String name;
  private final List<String> containers = Collections.synchronizedList(new ArrayList<>());
  private final List<String> volumes = Collections.synchronizedList(new ArrayList<>());
  private final List<List<String>> composeDowns = Collections.synchronizedList(new ArrayList<>());

  SidecarProject(String prefix) {
    SidecarImageIT.requireImage(IMAGE, "run scripts/build-image.sh");
    SidecarImageIT.requireImage(BUSYBOX, "run scripts/build-test-images.sh");
    this.name = prefix + UUID.randomUUID().toString().substring(0, 8);
  }

  // ---- docker run projects ------------------------------------------------------------------

  String volume(String suffix) {
    String v = name + "_" + suffix;
    ok(docker(Duration.ofSeconds(30), "volume", "create", "--label", RUN_LABEL + "=" + name, v));
    volumes.add(v);
    return v;
  }

  /**
   * Runs service {@code app}: a stop-during-backup target whose volume {@code data} (at /data)
   * holds {@code bytes} of random data, written once; returns when the data is there. A snapshot of
   * it takes long enough to kill or stop stack-back in the middle of it.
   */
  String slowStopDuringBackupApp(String data, long bytes) {
    String app =
        run(
            "app",
            List.of(
                "--label",
                "stack-back.volumes=true",
                "--label",
                "stack-back.volumes.stop-during-backup=true",
                "-v",
                data + ":/data"),
            BUSYBOX,
            List.of(
                "sh",
                "-c",
                "[ -f /data/big ] || head -c "
                    + bytes
                    + " /dev/urandom > /data/big; touch /data/ready; "
                    + IDLE));
    if (!poll(Duration.ofSeconds(60), () -> exec(app, "test", "-f", "/data/ready").exit() == 0)) {
      throw new IllegalStateException("the random data of " + app + " was not written in 60s");
    }
    return app;
  }

  /**
   * {@code docker run -d} of {@code service} in this project (compose labels set). {@code command}
   * empty: the image's default command. Returns the container name {@code <project>-<service>}.
   */
  String run(String service, List<String> options, String image, List<String> command) {
    String container = name + "-" + service;
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", container));
    args.addAll(List.of("--label", RUN_LABEL + "=" + name));
    args.addAll(List.of("--label", "com.docker.compose.project=" + name));
    args.addAll(List.of("--label", "com.docker.compose.service=" + service));
    args.addAll(options);
    args.add(image);
    args.addAll(command);
    containers.add(container);
    ok(docker(Duration.ofSeconds(60), args.toArray(String[]::new)));
    return container;
  }

  /** The sidecar options: socket, repository volume, password, plus {@code more}. */
  List<String> sidecarOptions(String repoVolume, String... more) {
    List<String> o =
        new ArrayList<>(
            List.of(
                "-v",
                SidecarImageIT.dockerSocket() + ":/var/run/docker.sock",
                "-v",
                repoVolume + ":/repo",
                "-e",
                "RESTIC_REPOSITORY=/repo/restic",
                "-e",
                "RESTIC_PASSWORD=" + PASSWORD));
    o.addAll(List.of(more));
    return o;
  }

  // ---- docker-compose projects ---------------------------------------------------------------

  /** {@code docker-compose -p <name> -f files... up -d} with {@code env}; down -v on close. */
  void composeUp(Map<String, String> env, Path... files) {
    List<String> base = new ArrayList<>(List.of("docker-compose", "-p", name));
    for (Path f : files) {
      base.addAll(List.of("-f", f.toString()));
    }
    List<String> down = new ArrayList<>(base);
    down.addAll(List.of("down", "-v", "--remove-orphans", "-t", "10"));
    composeDowns.add(down);
    List<String> up = new ArrayList<>(base);
    up.addAll(List.of("up", "-d"));
    ok(command(Duration.ofMinutes(2), up, env));
  }

  /** The id of the running or stopped container of compose service {@code service}. */
  String service(String service) {
    String id =
        ok(docker(
                Duration.ofSeconds(30),
                "ps",
                "-aq",
                "--filter",
                "label=com.docker.compose.project=" + name,
                "--filter",
                "label=com.docker.compose.service=" + service))
            .out()
            .trim();
    if (id.isEmpty() || id.contains("\n")) {
      fail("expected one container of service " + service + " in " + name + ", got: " + id);
    }
    return id;
  }

  // ---- checks --------------------------------------------------------------------------------

  /** {@code docker exec <container> args...} within 3 minutes. */
  static Result exec(String container, String... args) {
    List<String> a = new ArrayList<>(List.of("exec", container));
    a.addAll(List.of(args));
    return docker(Duration.ofMinutes(3), a.toArray(String[]::new));
  }

  /**
   * The sidecar's snapshots ({@code restic snapshots --json} inside it). {@code --no-lock}: a
   * reader's lock would make a concurrent run's forget/prune fail ("repository is already locked").
   */
  static JsonNode snapshots(String sidecar) {
    return json(ok(exec(sidecar, "restic", "--no-lock", "snapshots", "--json")).out());
  }

  /** The run records in the sidecar's STATE_DIR, oldest first. */
  static List<JsonNode> runRecords(String sidecar) {
    Result r = ok(exec(sidecar, "sh", "-c", CAT_RECORDS));
    return parseRecords(r.out());
  }

  /** A shell loop printing every run record in /state/runs, with separators. */
  static final String CAT_RECORDS =
      "for f in $(ls /state/runs/*.json 2>/dev/null); do cat $f; echo; echo '--8<--'; done";

  static List<JsonNode> parseRecords(String catRecordsOutput) {
    List<JsonNode> out = new ArrayList<>();
    for (String record : catRecordsOutput.split("--8<--")) {
      if (!record.isBlank()) {
        out.add(json(record));
      }
    }
    return RunRecords.inRunOrder(out);
  }

  static String inspect(String container, String format) {
    return ok(docker(Duration.ofSeconds(30), "inspect", "-f", format, container)).out().trim();
  }

  static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  /** Polls {@code condition} every 200 ms; true once it holds, false after {@code limit}. */
  static boolean poll(Duration limit, BooleanSupplier condition) {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }

  /** Removes what this project made; every step is tried, problems reported at the end. */
  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (List<String> down : List.copyOf(composeDowns)) {
      Result r = command(Duration.ofMinutes(2), down, Map.of());
      if (r.exit() != 0) {
        problems.add(r.toString());
      }
    }
    for (String c : List.copyOf(containers)) {
      Result r = docker(Duration.ofSeconds(60), "rm", "-fv", c);
      if (r.exit() != 0 && !r.err().contains("No such container")) {
        problems.add(r.toString());
      }
    }
    for (String v : List.copyOf(volumes)) {
      Result r = docker(Duration.ofSeconds(60), "volume", "rm", v);
      if (r.exit() != 0) {
        problems.add(r.toString());
      }
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("clean-up of " + name + " left things behind: " + problems);
    }
  }

  // ---- processes -----------------------------------------------------------------------------

  record Result(List<String> argv, int exit, String out, String err) {
    @Override
    public String toString() {
      return String.join(" ", argv)
          + " -> exit "
          + exit
          + "\nstdout:\n"
          + out
          + "\nstderr:\n"
          + err;
    }
  }

  static Result ok(Result r) {
    assertEquals(0, r.exit(), r.toString());
    return r;
  }

  static Result docker(Duration limit, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(List.of(args));
    return command(limit, argv, Map.of());
  }

  /** A started command; {@link Running#await} collects its result. */
  static Running start(List<String> argv, Map<String, String> env) {
    try {
      File out = Files.createTempFile("sidecar-it", ".out").toFile();
      File err = Files.createTempFile("sidecar-it", ".err").toFile();
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .redirectOutput(out)
              .redirectError(err)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().putAll(env);
      return new Running(argv, pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Running(List<String> argv, Process process, File out, File err) {
    Result await(Duration limit) {
      try {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          fail(String.join(" ", argv) + " did not end within " + limit);
        }
        return new Result(
            argv,
            process.exitValue(),
            Files.readString(out.toPath(), StandardCharsets.UTF_8),
            Files.readString(err.toPath(), StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      } finally {
        out.delete();
        err.delete();
      }
    }
  }

  static Result command(Duration limit, List<String> argv, Map<String, String> env) {
    return start(argv, env).await(limit);
  }
}
