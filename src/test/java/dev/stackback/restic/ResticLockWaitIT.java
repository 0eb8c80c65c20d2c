package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live exclusive lock held by another restic on this host for a few seconds: restic 0.16+ waits
 * for it ({@code --retry-lock}) after the stale locks were removed, and the call succeeds; restic
 * before 0.16 cannot wait and fails at once, saying whose lock it is. The old case runs {@code
 * STACKBACK_OLD_RESTIC} (scripts/test.sh: Debian 12's 0.14.0), else the host's restic when it is
 * older than 0.16; the new one runs {@code -Dstackback.newRestic=/path/to/restic}, else the host's
 * restic when it is 0.16+ (scripts/ensure-restic.sh installs 0.19.1). So CI runs both.
 */
class ResticLockWaitIT {
  private static final String PASSWORD = "lockwait-" + Long.toHexString(System.nanoTime());

  @TempDir Path tmp;

  @Test
  void oldRestic_liveLock_failsAtOnceNamingIt_lockKept() throws Exception {
    String old =
        Optional.ofNullable(System.getenv("STACKBACK_OLD_RESTIC"))
            .filter(b -> !b.isBlank() && Files.isExecutable(Path.of(b)))
            .orElse("restic");
    Path repo = repoWithData(old);
    Process holder = holdExclusiveLock(old, repo, 100);
    try {
      ResticCli cli = cli(old, repo);
      assumeTrue(!cli.version().orElseThrow().retriesLocks(), "the host's restic is 0.16+");
      long t0 = System.nanoTime();
      ResticException e = assertThrows(ResticException.class, () -> cli.snapshots(null, List.of()));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(Kind.LOCKED, e.kind());
      assertTrue(e.getMessage().contains("cannot wait for a lock (0.16+ can)"), e.getMessage());
      assertTrue(e.getMessage().contains("(exclusive, host "), e.getMessage());
      assertTrue(holder.isAlive(), "the lock holder was disturbed");
      assertFalse(new ResticCli(old, env(repo), Duration.ofMinutes(1), false).locks().isEmpty());
      System.out.println("restic " + cli.version().orElseThrow() + ": failed after " + ms + " ms");
    } finally {
      holder.destroy();
      holder.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void newRestic_liveLockThatEnds_isWaitedFor_callSucceeds() throws Exception {
    String binary = System.getProperty("stackback.newRestic", "restic");
    Path repo = repoWithData(binary);
    ResticCli cli = cli(binary, repo);
    assumeTrue(cli.version().orElseThrow().retriesLocks(), "no restic 0.16+: " + cli.version());
    // reads 8 MiB at 1 MiB/s: holds its exclusive lock ~8 s, then ends and removes it
    Process holder = holdExclusiveLock(binary, repo, 1024);
    try {
      long t0 = System.nanoTime();
      assertEquals(1, cli.snapshots(null, List.of()).size());
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms > 1000, "did not wait: " + ms + " ms");
      System.out.println("restic " + cli.version().orElseThrow() + ": waited " + ms + " ms");
    } finally {
      holder.destroy();
      holder.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private Path repoWithData(String binary) throws Exception {
    Path repo = tmp.resolve("repo");
    Path data = Files.createDirectories(tmp.resolve("data"));
    byte[] bytes = new byte[8 << 20];
    new Random(7).nextBytes(bytes);
    Files.write(data.resolve("random"), bytes);
    ResticCli cli = cli(binary, repo);
    cli.ensureRepository();
    cli.backupPaths(List.of(data.toString()), "h", List.of("t"), null, Duration.ofMinutes(2));
    return repo;
  }

  /** {@code restic check --read-data} throttled to {@code kib} KiB/s, once its lock exists. */
  private Process holdExclusiveLock(String binary, Path repo, int kib) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                binary,
                "--no-cache",
                "check",
                "--read-data",
                "--limit-download",
                Integer.toString(kib))
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("holder.log").toFile());
    pb.environment().putAll(env(repo));
    Process p = pb.start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!hasLock(repo)) {
      assertTrue(p.isAlive() && System.nanoTime() < end, "the holder never locked");
      Thread.sleep(20);
    }
    return p;
  }

  private static boolean hasLock(Path repo) throws IOException {
    try (var s = Files.list(repo.resolve("locks"))) {
      // restic writes the lock file in place: an empty one is not a lock yet
      return s.anyMatch(f -> f.toFile().length() > 0);
    }
  }

  private Map<String, String> env(Path repo) {
    return Map.of(
        "RESTIC_REPOSITORY", repo.toString(),
        "RESTIC_PASSWORD", PASSWORD,
        "RESTIC_CACHE_DIR", tmp.resolve("cache").toString());
  }

  private ResticCli cli(String binary, Path repo) {
    return new ResticCli(binary, env(repo), Duration.ofMinutes(5), false);
  }
}
