package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stackback.it.BackupFailureIT.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Repository faults for real (issue 9.2, 9.3): stale locks of killed restic processes are cleared
 * by the next run, a live lock of another host is left alone and named, and a repository deleted
 * mid-run or replaced by junk fails the run and is never initialised over.
 */
class RepositoryFaultIT {
  static DockerFixture fx;

  @BeforeAll
  static void setUp() {
    fx = DockerFixture.create("repofault");
  }

  @AfterAll
  static void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void staleLocksOfKilledRestic_exclusiveThenShared_eachNextRunClearsItAndSucceeds()
      throws Exception {
    Stack s = BackupFailureIT.stack(fx, "stale", Map.of(), Map.of());
    HostRestic host = new HostRestic(s.repo(), BackupFailureIT.PASSWORD);
    host.init();
    Path data = fx.hostDir("stale-data");
    Files.write(data.resolve("random"), randomBytes(40 << 20));
    host.ok("backup", data.toString());
    // restic refuses to lock next to a stale lock of the other kind: one kind per run
    // an exclusive lock (a killed check) blocks everything: found by the repository check
    killAfterLock(s, 1, "check", "--read-data", "--limit-download", "100");

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.log().contains("restic cat config: the repository is locked"), r::toString);
    assertEquals(List.of(), locks(s));
    // a shared lock (a killed backup) blocks forget/prune: found at maintenance
    killAfterLock(s, 1, "backup", "--stdin", "--stdin-filename", "killed");

    Cli.Result again = Cli.run(s.env(), "backup");

    assertEquals(0, again.exit(), again::toString);
    assertTrue(again.log().contains("restic forget: the repository is locked"), again::toString);
    assertEquals(List.of(), locks(s));
    for (JsonNode rec : Cli.records(s.state())) {
      assertEquals("succeeded", rec.get("state").asText(), rec::toString);
      List<String> steps = Cli.steps(rec);
      assertEquals("check repository=ok", steps.get(0));
      assertTrue(steps.contains("snapshot app=ok"), steps::toString);
      assertTrue(steps.contains("forget + prune=ok"), steps::toString);
    }
    assertEquals(2, Cli.records(s.state()).size());
  }

  @Test
  void liveExclusiveLockOfAnotherHost_isNotRemoved_runFailsNamingIt() throws Exception {
    Stack s = BackupFailureIT.stack(fx, "live", Map.of(), Map.of());
    HostRestic host = new HostRestic(s.repo(), BackupFailureIT.PASSWORD);
    host.init();
    Path data = fx.hostDir("live-data");
    Files.write(data.resolve("random"), randomBytes(20 << 20));
    host.ok("backup", data.toString());
    String other = "otherhost-" + fx.run.substring(fx.run.length() - 6);
    // a live restic on "another machine": own hostname, reading slowly with an exclusive lock
    Process live =
        restic(
            s,
            List.of(
                "unshare",
                "--uts",
                "sh",
                "-c",
                "hostname "
                    + other
                    + "; exec restic --no-cache check --read-data"
                    + " --limit-download 50"));
    try {
      awaitLocks(s, 1, live);
      List<String> before = locks(s);

      Cli.Result r = Cli.run(s.env(), "backup");

      assertEquals(1, r.exit(), r::toString);
      assertTrue(live.isAlive(), "the other host's restic died");
      assertEquals(before, locks(s), "the live lock was removed");
      assertEquals(
          List.of("error:app:1@app", "error:backup:1", "finally:app:1@app", "finally:backup:1"),
          s.journalLines(),
          r::toString);
      JsonNode rec = BackupFailureIT.record(s, 1);
      assertEquals("check repository=failed", Cli.steps(rec).get(0));
      String error = rec.get("error").asText();
      assertTrue(error.contains("repository locked"), error);
      assertTrue(error.contains("exclusive, host " + other), error);
      assertTrue(error.contains("stack-back removed the stale locks"), error);
      assertTrue(error.contains("restic unlock --remove-all"), error);
    } finally {
      DockerFixture.command(List.of("kill", "-INT", Long.toString(live.pid())), Map.of());
      live.waitFor(30, TimeUnit.SECONDS);
      live.destroyForcibly();
    }
  }

  @Test
  void killedWorker_itsFreshLockIsClearedByTheNextRun_whichSucceeds_maintenanceToo()
      throws Exception {
    // what a killed engine leaves: the lock of a worker container that no longer exists, fresh
    // (restic unlock run by stack-back itself keeps it for 30 minutes: another hostname); the
    // next run removes it by running restic unlock with the workers' hostname in a fresh container
    Stack s =
        BackupFailureIT.stack(
            fx,
            "killedworker",
            Map.of(),
            Map.of("stack-back.hooks.pre.2.cmd", "head -c 200000000 /dev/urandom > /data/big"));
    new HostRestic(s.repo(), BackupFailureIT.PASSWORD).init();
    CompletableFuture<String> killer =
        CompletableFuture.supplyAsync(
            () -> {
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
              while (System.nanoTime() < end) {
                String worker =
                    DockerFixture.docker(
                        "ps", "-q", "--filter", "label=stack-back.worker.host=" + s.project());
                // the worker starts before the pre hooks (its head start): wait for its restic
                if (!worker.isEmpty()
                    && DockerFixture.run("top", worker).output().contains("restic")
                    && writtenLocks(s) > 0) {
                  DockerFixture.docker("kill", worker);
                  return worker;
                }
                sleep(20);
              }
              return null;
            });

    Cli.Result first = Cli.run(s.env(), "backup");

    assertTrue(killer.get(10, TimeUnit.SECONDS) != null, "no worker was killed:\n" + first);
    assertEquals(1, first.exit(), first::toString);
    List<String> left = locks(s);
    assertEquals(1, left.size(), "the killed worker left no lock");
    String lock = lockJson(s, left.get(0));
    assertTrue(lock.contains("\"hostname\":\"sbworker-"), lock);

    Cli.Result second = Cli.run(s.env(), "backup");

    assertEquals(0, second.exit(), second::toString);
    assertEquals(List.of(), locks(s), "the dead worker's lock is still there");
    assertTrue(second.log().contains("restic forget: the repository is locked"), second::toString);
    assertTrue(second.log().contains("restic unlock as a fresh worker"), second::toString);
    List<JsonNode> records = Cli.records(s.state());
    JsonNode rec = records.get(records.size() - 1);
    assertEquals("succeeded", rec.get("state").asText(), rec::toString);
    List<String> steps = Cli.steps(rec);
    assertTrue(steps.contains("snapshot app=ok"), steps::toString);
    assertTrue(steps.contains("forget + prune=ok"), steps::toString);
    HostRestic host = new HostRestic(s.repo(), BackupFailureIT.PASSWORD);
    JsonNode snapshots = host.snapshots();
    assertFalse(snapshots.isEmpty(), snapshots::toString);
    host.ok("check"); // readable, and no lock left in the way
    assertEquals(
        "",
        DockerFixture.docker(
            "ps", "-aq", "--filter", "label=stack-back.worker.host=" + s.project()));
  }

  /** The JSON of lock {@code id}, read with restic on the host, blanks removed. */
  private static String lockJson(Stack s, String id) {
    return new HostRestic(s.repo(), BackupFailureIT.PASSWORD)
        .ok("--no-lock", "cat", "lock", id)
        .replaceAll("\\s", "");
  }

  @Test
  void repositoryDeletedMidSnapshot_runFails_nextRunRefusesToInitOverTheLeftovers()
      throws Exception {
    Stack s =
        BackupFailureIT.stack(
            fx,
            "deleted",
            Map.of(),
            Map.of("stack-back.hooks.pre.2.cmd", "head -c 300000000 /dev/urandom > /data/big"));
    Path repo = s.repo();
    new HostRestic(repo, BackupFailureIT.PASSWORD).init();
    long packsBefore = files(repo.resolve("data")).size();
    // once the worker's restic holds its lock and has written a pack, the repository goes away
    CompletableFuture<Boolean> deleter =
        CompletableFuture.supplyAsync(
            () -> {
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
              while (System.nanoTime() < end) {
                if (!files(repo.resolve("locks")).isEmpty()
                    && files(repo.resolve("data")).size() > packsBefore) {
                  DockerFixture.command(
                      List.of("sh", "-c", "rm -rf " + repo + "/* " + repo + "/.[!.]*"), Map.of());
                  return true;
                }
                sleep(20);
              }
              return false;
            });

    Cli.Result first = Cli.run(s.env(), "backup");

    assertTrue(deleter.get(10, TimeUnit.SECONDS), "the repository was never deleted:\n" + first);
    assertEquals(1, first.exit(), first::toString);
    assertTrue(fx.state(s.app()).running());
    JsonNode rec = BackupFailureIT.record(s, 1);
    assertTrue(Cli.steps(rec).contains("snapshot app=failed"), rec::toString);
    assertTrue(rec.get("error").asText().startsWith("snapshot of app failed"), rec::toString);
    // restic usually leaves packs it was writing; restic 0.19 sometimes fails before it writes
    // again and leaves nothing: then the location is empty, and only the memory of it says it
    // was a repository. Either way nothing may be initialised there.
    List<String> leftovers = tree(repo);
    assertFalse(leftovers.contains("config"), leftovers::toString);

    Cli.Result second = Cli.run(s.env(), "backup");

    assertEquals(1, second.exit(), second::toString);
    assertEquals(leftovers, tree(repo), "the second run changed the repository directory");
    List<JsonNode> records = Cli.records(s.state());
    JsonNode again = records.get(records.size() - 1);
    assertEquals("check repository=failed", Cli.steps(again).get(0));
    String error = again.get("error").asText();
    assertTrue(error.contains("repository at " + repo + " is gone or damaged"), error);
    assertTrue(
        leftovers.isEmpty()
            ? error.contains("there before (remembered in ")
            : error.contains("stack-back will not initialise over existing data"),
        error);
    assertFalse(second.all().contains("ciphertext verification failed"), second::toString);
  }

  @Test
  void repositoryDirectoryDeletedCompletelyBetweenRuns_nextRunSaysItIsGone_nothingCreated()
      throws Exception {
    Stack s = BackupFailureIT.stack(fx, "wholly", Map.of(), Map.of());
    Cli.Result first = Cli.run(s.env(), "backup");
    assertEquals(0, first.exit(), first::toString);
    assertTrue(Files.exists(s.repo().resolve("config")), "stack-back did not initialise it");
    DockerFixture.deleteTree(s.repo()); // a disk that is not mounted looks the same

    Cli.Result second = Cli.run(s.env(), "backup");

    assertEquals(1, second.exit(), second::toString);
    assertFalse(Files.exists(s.repo()), "a new repository was made where the old one was");
    List<JsonNode> records = Cli.records(s.state());
    JsonNode rec = records.get(records.size() - 1);
    assertEquals("check repository=failed", Cli.steps(rec).get(0));
    String error = rec.get("error").asText();
    assertTrue(error.contains("repository at " + s.repo() + " is gone or damaged"), error);
    assertTrue(error.contains("there before (remembered in "), error);
    assertTrue(error.contains("run `restic init` yourself"), error);
  }

  @Test
  void repositoryReplacedByJunk_runFailsSayingSo_nothingInitialised() throws Exception {
    Stack s = BackupFailureIT.stack(fx, "junk", Map.of(), Map.of());
    Files.createDirectories(s.repo().resolve("data/1c"));
    Files.writeString(s.repo().resolve("data/1c/pack"), "not a pack");
    Files.writeString(s.repo().resolve("notes.txt"), "someone's files");
    List<String> before = tree(s.repo());

    Cli.Result r = Cli.run(s.env(), "backup");

    assertEquals(1, r.exit(), r::toString);
    assertEquals(before, tree(s.repo()));
    JsonNode rec = BackupFailureIT.record(s, 1);
    assertEquals("check repository=failed", Cli.steps(rec).get(0));
    String error = rec.get("error").asText();
    assertTrue(error.contains("is gone or damaged: the directory is not empty"), error);
    assertTrue(error.contains("point RESTIC_REPOSITORY elsewhere"), error);
    Cli.Result status = Cli.run(s.env(), "status", "--json");
    assertEquals("gone or damaged", status.json().get("repository").get("state").asText());
  }

  // --- helpers ---

  /** Starts restic (or {@code argv}) with the stack's repository environment. */
  private static Process restic(Stack s, List<String> argv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.redirectOutput(fx.dir.resolve("restic-" + System.nanoTime() + ".log").toFile());
    pb.environment().put("RESTIC_REPOSITORY", s.repo().toString());
    pb.environment().put("RESTIC_PASSWORD", BackupFailureIT.PASSWORD);
    return pb.start(); // stdin stays open: a --stdin backup waits for data
  }

  /** Starts {@code restic args}, waits until the repository has {@code n} locks, kill -9s it. */
  private static void killAfterLock(Stack s, int n, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("restic", "--no-cache"));
    argv.addAll(List.of(args));
    Process p = restic(s, argv);
    awaitLocks(s, n, p);
    p.destroyForcibly(); // SIGKILL: restic cannot remove its lock
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
  }

  /**
   * Waits until {@code n} lock files exist and have content: restic writes a lock file in place,
   * and a kill between creating and writing it leaves an empty file that restic ignores.
   */
  private static void awaitLocks(Stack s, int n, Process p) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (writtenLocks(s) < n) {
      assertTrue(p.isAlive(), "restic ended before it locked the repository");
      assertTrue(System.nanoTime() < end, "no lock appeared");
      sleep(20);
    }
    sleep(300);
    assertTrue(p.isAlive(), "restic ended while holding its lock");
  }

  private static long writtenLocks(Stack s) {
    Path dir = s.repo().resolve("locks");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toFile().length() > 0).count();
    } catch (IOException e) {
      return 0;
    }
  }

  private static List<String> locks(Stack s) {
    return files(s.repo().resolve("locks"));
  }

  /** The names of the regular files under {@code dir} (empty when it does not exist). */
  private static List<String> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(); // changing under us (the repository is being deleted): ask again
    }
  }

  /** Every path under {@code root}, relative, sorted. */
  private static List<String> tree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new java.util.Random(42).nextBytes(b);
    return b;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
