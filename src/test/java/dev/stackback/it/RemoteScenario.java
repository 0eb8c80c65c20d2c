package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One backup run against a remote repository and reading it back, shared by the ITs of the S3, REST
 * and SFTP backends: a stop-during-backup app with a volume, {@code backup} (its snapshot taken by
 * restic in the worker container, over the network), {@code snapshots}, {@code restore --target}
 * compared byte for byte with the live volume, {@code check}; then, with the server gone, {@code
 * backup}, {@code status}, {@code check} and {@code snapshots} all say "cannot reach".
 */
final class RemoteScenario {
  final DockerFixture fx;
  final String password = "pw-" + UUID.randomUUID();
  final String project;
  final String app;
  final Map<String, String> env = new HashMap<>();
  final List<Cli.Result> results = new ArrayList<>();

  /**
   * @param repositoryEnv RESTIC_REPOSITORY and the backend's credentials
   * @param selfImage image of the container that stands for stack-back (its worker runs it)
   */
  RemoteScenario(DockerFixture fx, Map<String, String> repositoryEnv, String selfImage) {
    this.fx = fx;
    this.project = fx.project("p");
    String backup = fx.container(project, "backup").image(selfImage).start();
    app =
        fx.container(project, "app")
            .mount(fx.volume("app-data"), "/data")
            .labels(
                Map.of(
                    "stack-back.volumes", "true",
                    "stack-back.volumes.stop-during-backup", "true"))
            .script(
                "trap 'echo stopped > /data/state; exit 0' TERM;"
                    + " echo running > /data/state; sleep 3600 & wait")
            .start();
    fx.exec(
        app,
        "mkdir -p /data/sub && echo hello > /data/a.txt"
            + " && head -c 1048576 /dev/urandom > /data/sub/big.bin");
    env.putAll(repositoryEnv);
    env.put("RESTIC_PASSWORD", password);
    env.put("STATE_DIR", fx.dir.resolve("state").toString());
    env.put("STACK_BACK_CONTAINER", backup);
    env.put("STOP_TIMEOUT", "5s");
  }

  Cli.Result run(String... args) {
    long start = System.nanoTime();
    Cli.Result r = Cli.run(env, args);
    // the durations go to the failsafe report's output: what each step costs against this backend
    System.out.printf(
        "[%s] stack-back %s: exit %d in %d ms%n",
        fx.run, String.join(" ", args), r.exit(), (System.nanoTime() - start) / 1_000_000);
    results.add(r);
    return r;
  }

  /** backup, snapshots, restore --target (compared with the live volume), check: all exit 0. */
  void backupRestoreCheck() throws Exception {
    Cli.Result backup = run("backup");
    assertEquals(0, backup.exit(), backup::toString);
    JsonNode rec = Cli.records(fx.dir.resolve("state")).get(0);
    assertEquals(
        List.of(
            "check repository=ok",
            "stop app=ok",
            "snapshot app=ok",
            "start app=ok",
            "forget + prune=ok",
            "check=ok"),
        Cli.steps(rec));
    assertTrue(fx.state(app).running());

    Cli.Result snapshots = run("snapshots", "--json");
    assertEquals(0, snapshots.exit(), snapshots::toString);
    assertTrue(snapshots.out().contains("/volumes/app/data"), snapshots::toString);

    Path restored = fx.hostDir("restored");
    Cli.Result restore = run("restore", "--service", "app", "--target", restored.toString());
    assertEquals(0, restore.exit(), restore::toString);
    Path snap = restored.resolve("volumes/app/data");
    assertEquals("stopped\n", Files.readString(snap.resolve("state")), "taken while app was down");
    Path live = fx.copyOut(app, "/data", fx.hostDir("live").resolve("data"));
    Files.delete(snap.resolve("state"));
    Files.delete(live.resolve("state"));
    assertEquals(List.of("a.txt", "sub/big.bin"), BackupIT.files(snap));
    assertEquals(BackupIT.files(live), BackupIT.files(snap));
    for (String f : BackupIT.files(live)) {
      assertEquals(-1L, Files.mismatch(live.resolve(f), snap.resolve(f)), f);
    }

    Cli.Result check = run("check");
    assertEquals(0, check.exit(), check::toString);
  }

  /**
   * With the backend gone: every command says "cannot reach {@code shownRepository}: ..." quickly
   * (restic would retry for 15 minutes), nothing is stopped, nothing initialised.
   */
  void unreachable(String shownRepository) {
    String expected = "cannot reach " + shownRepository + ": ";
    String startedAt = fx.state(app).startedAt();
    for (String[] args :
        List.of(
            new String[] {"backup"},
            new String[] {"status"},
            new String[] {"check"},
            new String[] {"snapshots"})) {
      long start = System.nanoTime();
      Cli.Result r = run(args);
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      String what = String.join(" ", args);
      assertTrue(r.all().contains(expected), () -> what + " should say '" + expected + "':\n" + r);
      assertTrue(!r.all().contains("init"), () -> what + " must not talk of init:\n" + r);
      assertTrue(seconds < 30, what + " took " + seconds + "s");
      if (!what.equals("status")) {
        assertEquals(1, r.exit(), r::toString);
      }
    }
    assertEquals(startedAt, fx.state(app).startedAt(), "app was not stopped");
  }

  /** None of {@code secrets} in any output, log or run record. */
  void assertSecretsAbsent(String... secrets) {
    for (String s : secrets) {
      Cli.assertSecretAbsent(s, fx.dir.resolve("state"), results);
    }
    Cli.assertSecretAbsent(password, fx.dir.resolve("state"), results);
  }
}
