package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sidecar image as users run it: a container of {@code stack-back:local} with the Docker
 * socket, in a small labelled project, driven only through {@code docker exec}. The image is built
 * by {@code scripts/build-image.sh}; without it this test fails (it never skips).
 */
@TestMethodOrder(OrderAnnotation.class)
class SidecarImageIT {

  /** The image under test; {@code -Dstackback.image=...} picks another build. */
  static final String IMAGE = System.getProperty("stackback.image", "stack-back:local");

  static final String TARGET_IMAGE = "stack-back-test/busybox:latest";

  /** Marks what this test creates; outside stack-back's label prefix, so no warnings. */
  static final String RUN_LABEL = "dev.stackback.it.run";

  static final String PROJECT = "sbimg" + UUID.randomUUID().toString().substring(0, 8);
  static final String SIDECAR = PROJECT + "-backup";
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration EXEC_LIMIT = Duration.ofMinutes(3);

  static final List<String> containers = new ArrayList<>();
  static final List<String> volumes = new ArrayList<>();

  @BeforeAll
  static void startProject() {
    requireImage(IMAGE, "run scripts/build-image.sh (it needs target/stack-back.jar: mvn package)");
    requireImage(TARGET_IMAGE, "run scripts/build-test-images.sh");
    String data = volume(PROJECT + "_data");
    String repo = volume(PROJECT + "_repo");
    run(
        "app",
        List.of("--label", "stack-back.volumes=true", "-v", data + ":/data"),
        TARGET_IMAGE,
        "echo hello from app > /data/hello.txt; trap 'exit 0' TERM; sleep 3600 & wait");
    // no STACK_BACK_CONTAINER: the sidecar must find its own container
    run(
        "backup",
        List.of(
            "-v",
            dockerSocket() + ":/var/run/docker.sock",
            "-v",
            repo + ":/repo",
            "-e",
            "RESTIC_REPOSITORY=/repo/restic",
            "-e",
            "RESTIC_PASSWORD=sidecar-it-not-secret"),
        IMAGE,
        "trap 'exit 0' TERM; sleep 3600 & wait");
  }

  @AfterAll
  static void removeProject() {
    for (String id : containers) {
      docker(Duration.ofSeconds(60), "rm", "-fv", id); // -v: the sidecar's anonymous /state
    }
    for (String v : volumes) {
      docker(Duration.ofSeconds(60), "volume", "rm", v);
    }
  }

  @Test
  @Order(1)
  void status_findsItsOwnContainer_andListsTheTarget() throws IOException {
    Result r = exec("stack-back", "status", "--json");
    assertEquals(0, r.exit(), r.toString());
    JsonNode status = JSON.readTree(r.out());
    assertEquals(SIDECAR, status.path("backupContainer").asText(), r.out());
    assertEquals(PROJECT, status.path("project").asText(), r.out());
    assertEquals(1, status.path("targets").size(), r.out());
    JsonNode app = status.path("targets").get(0);
    assertEquals("app", app.path("service").asText());
    assertEquals("/volumes/app/data", app.path("volumes").get(0).path("snapshotPath").asText());
  }

  @Test
  @Order(2)
  void backup_makesASnapshot_withAWorkerOfTheSidecarImage_thatIsRemoved() throws IOException {
    long since = System.currentTimeMillis() / 1000 - 1;
    Result backup = exec("stack-back", "backup");
    long until = System.currentTimeMillis() / 1000 + 1;
    assertEquals(0, backup.exit(), backup.toString());

    Result snapshots = exec("restic", "snapshots", "--json");
    assertEquals(0, snapshots.exit(), snapshots.toString());
    JsonNode list = JSON.readTree(snapshots.out());
    assertEquals(1, list.size(), snapshots.out());
    JsonNode snap = list.get(0);
    assertEquals("/volumes/app/data", snap.path("paths").get(0).asText());
    assertEquals(PROJECT, snap.path("hostname").asText());
    assertTrue(snap.path("tags").toString().contains("\"service=app\""), snap.toString());
    Result dump = exec("restic", "dump", "latest", "/volumes/app/data/hello.txt");
    assertEquals("hello from app\n", dump.out(), dump.toString());

    assertWorkersUsedTheImageAndAreGone(since, until);
  }

  @Test
  @Order(3)
  void rcbAlias_printsTheVersion() {
    Result r = exec("rcb", "version");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().startsWith("stack-back "), r.out());
  }

  /**
   * Workers are removed, so the engine's events are the record: in the backup's time window the run
   * created ONE worker (one per run) from our image and destroyed it again. (Workers carry the
   * backup host, here the project name, in a label.)
   */
  private static void assertWorkersUsedTheImageAndAreGone(long since, long until) {
    Result events =
        docker(
            Duration.ofSeconds(30),
            "events",
            "--since",
            Long.toString(since),
            "--until",
            Long.toString(until),
            "--filter",
            "type=container",
            "--filter",
            "label=stack-back.worker=true",
            "--filter",
            "label=stack-back.worker.host=" + PROJECT,
            "--format",
            "{{.Action}} {{.ID}} {{index .Actor.Attributes \"image\"}}");
    assertEquals(0, events.exit(), events.toString());
    // workers start from the sidecar's exact image id (a tag could have moved)
    String imageId =
        docker(Duration.ofSeconds(30), "image", "inspect", "-f", "{{.Id}}", IMAGE).out().trim();
    Set<String> created = new HashSet<>();
    Set<String> destroyed = new HashSet<>();
    for (String line : events.out().split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length == 3 && (f[2].equals(IMAGE) || f[2].equals(imageId))) {
        switch (f[0]) {
          case "create" -> created.add(f[1]);
          case "destroy" -> destroyed.add(f[1]);
          default -> {}
        }
      }
    }
    assertFalse(created.isEmpty(), "no worker from " + IMAGE + " in the events:\n" + events.out());
    assertEquals(1, created.size(), "one worker per run:\n" + events.out());
    assertEquals(created, destroyed, "every worker is removed:\n" + events.out());
    for (String id : created) {
      Result ps = docker(Duration.ofSeconds(30), "ps", "-aq", "--no-trunc", "--filter", "id=" + id);
      assertEquals("", ps.out().trim(), "worker " + id + " still exists");
    }
  }

  // ---- fixtures through the docker CLI (independent of the code under test) ----------------

  static void requireImage(String image, String advice) {
    if (docker(Duration.ofSeconds(30), "image", "inspect", image).exit() != 0) {
      fail("image " + image + " not found: " + advice);
    }
  }

  static String volume(String name) {
    ok(docker(Duration.ofSeconds(30), "volume", "create", "--label", runLabel(), name));
    volumes.add(name);
    return name;
  }

  /** Starts service {@code service} of the project; the command stops at once on SIGTERM. */
  static void run(String service, List<String> options, String image, String script) {
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", PROJECT + "-" + service));
    args.addAll(List.of("--label", runLabel()));
    args.addAll(List.of("--label", "com.docker.compose.project=" + PROJECT));
    args.addAll(List.of("--label", "com.docker.compose.service=" + service));
    args.addAll(options);
    args.addAll(List.of(image, "sh", "-c", script));
    containers.add(ok(docker(Duration.ofSeconds(60), args.toArray(String[]::new))).out().trim());
  }

  static String runLabel() {
    return RUN_LABEL + "=" + PROJECT;
  }

  /** The engine's unix socket as the host sees it (DOCKER_HOST=unix://... or the default). */
  static String dockerSocket() {
    String host = System.getenv("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      return "/var/run/docker.sock";
    }
    if (!host.startsWith("unix://")) {
      fail("DOCKER_HOST=" + host + ": this test mounts the engine's unix socket into the sidecar");
    }
    return host.substring("unix://".length());
  }

  static Result exec(String... command) {
    List<String> args = new ArrayList<>(List.of("exec", SIDECAR));
    args.addAll(List.of(command));
    return docker(EXEC_LIMIT, args.toArray(String[]::new));
  }

  static Result ok(Result r) {
    assertEquals(0, r.exit(), r.toString());
    return r;
  }

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

  /** Runs {@code docker args...} within {@code limit}; stdout and stderr apart. */
  static Result docker(Duration limit, String... args) {
    List<String> argv = new ArrayList<>(List.of("docker"));
    argv.addAll(List.of(args));
    try {
      File err = Files.createTempFile("sidecar-it", ".err").toFile();
      try {
        Process p =
            new ProcessBuilder(argv)
                .redirectError(err)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // stdout is read on this thread; the limit is enforced by a watchdog
        Thread watchdog =
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                          p.destroyForcibly();
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        watchdog.interrupt();
        return new Result(
            argv, exit, out, Files.readString(err.toPath(), StandardCharsets.UTF_8).strip());
      } finally {
        Files.deleteIfExists(err.toPath());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
