package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.BackupSummary;
import dev.stackback.port.KeepPolicy;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic.RepositoryState;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import dev.stackback.port.Snapshot;
import dev.stackback.port.StdinProducer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResticCli against the real restic binary ({@code RESTIC_BINARY}, default /usr/bin/restic). */
class ResticCliIT {
  private static final String BINARY =
      Optional.ofNullable(System.getenv("RESTIC_BINARY")).orElse("/usr/bin/restic");
  private static final String PASSWORD = "it-Pa55word-" + Long.toHexString(System.nanoTime());
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final List<String> TAGS = List.of("stack-back", "project=it", "service=db");

  @TempDir Path tmp;
  private Path repo;
  private ResticCli restic;
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final OutputLine log = (stream, line) -> logged.add(line);

  @BeforeEach
  void setUp() {
    repo = tmp.resolve("repo");
    restic = cli(repo, PASSWORD);
  }

  @AfterEach
  void noSecretWasLogged() {
    logged.forEach(line -> assertFalse(line.contains(PASSWORD), line));
  }

  @Test
  void ensureRepository_initialisesMissingRepo_thenReportsExisting() {
    assertEquals(RepositoryState.INITIALISED, restic.ensureRepository());
    assertTrue(Files.exists(repo.resolve("config")));
    assertEquals(RepositoryState.EXISTING, restic.ensureRepository());
  }

  @Test
  void wrongPassword_isWrongPassword_andTheMessageHasNoSecret() {
    restic.ensureRepository();
    String wrong = "wrong-" + PASSWORD;
    ResticCli bad = cli(repo, wrong);
    ResticException e = assertThrows(ResticException.class, bad::ensureRepository);
    assertEquals(Kind.WRONG_PASSWORD, e.kind());
    assertFalse(e.getMessage().contains(wrong), e.getMessage());
    assertEquals(
        Kind.WRONG_PASSWORD,
        assertThrows(ResticException.class, () -> bad.snapshots(null, List.of())).kind());
  }

  @Test
  void directoryWithFilesButNoRepository_isDamaged_notMissing() throws IOException {
    Path notRepo = Files.createDirectories(tmp.resolve("not-a-repo"));
    Files.writeString(notRepo.resolve("file.txt"), "hello");
    ResticException e =
        assertThrows(
            ResticException.class, () -> cli(notRepo, PASSWORD).snapshots(null, List.of()));
    assertEquals(Kind.DAMAGED, e.kind());
    assertTrue(e.getMessage().contains("unable to open config file"), e.getMessage());
    assertTrue(e.getMessage().contains("not empty (file.txt)"), e.getMessage());
    assertThrows(ResticException.class, () -> cli(notRepo, PASSWORD).ensureRepository());
    assertFalse(Files.exists(notRepo.resolve("config")), "initialised over someone's files");
  }

  @Test
  void missingDirectory_isNoRepository() {
    ResticException e =
        assertThrows(
            ResticException.class,
            () -> cli(tmp.resolve("nothing-here"), PASSWORD).snapshots(null, List.of()));
    assertEquals(Kind.NO_REPOSITORY, e.kind());
  }

  @Test
  void repositoryPathThatIsAFile_failsClearly() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    ResticException e =
        assertThrows(ResticException.class, () -> cli(file, PASSWORD).ensureRepository());
    // restic 0.14 fails to read it at once (exit 1); 0.17+ would retry for 15 minutes and is
    // stopped at its first retry: either way no init, and the reason is named
    assertTrue(e.kind() == Kind.FAILED || e.kind() == Kind.UNREACHABLE, e::toString);
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  @Test
  void backupPaths_thenRestore_reproducesFilesByteForByte() throws IOException {
    restic.ensureRepository();
    Path data = Files.createDirectories(tmp.resolve("data/sub"));
    byte[] random = new byte[300_000];
    new Random(1).nextBytes(random);
    Files.write(data.resolve("random.bin"), random);
    Files.writeString(tmp.resolve("data/hello.txt"), "hello\n");

    BackupSummary s =
        restic.backupPaths(List.of(tmp.resolve("data").toString()), "h1", TAGS, log, TIMEOUT);
    assertEquals(2, s.filesNew());
    assertEquals(300_006, s.totalBytesProcessed());
    assertFalse(s.incomplete());

    Path target = tmp.resolve("restored");
    restic.restore(s.snapshotId(), target, List.of(), log);
    // restic keeps the absolute path of what it backed up below the target
    Path restored = target.resolve(tmp.resolve("data").toString().substring(1));
    assertArrayEquals(random, Files.readAllBytes(restored.resolve("sub/random.bin")));
    assertEquals("hello\n", Files.readString(restored.resolve("hello.txt")));

    Path only = tmp.resolve("only");
    restic.restore(s.snapshotId(), only, List.of(tmp.resolve("data/hello.txt").toString()), log);
    Path onlyData = only.resolve(tmp.resolve("data").toString().substring(1));
    assertTrue(Files.exists(onlyData.resolve("hello.txt")));
    assertFalse(Files.exists(onlyData.resolve("sub/random.bin")));
  }

  @Test
  void backupStdin_100MB_thenDump_sameSha256() throws Exception {
    restic.ensureRepository();
    long size = 100L << 20;
    MessageDigest written = sha256();
    long start = System.nanoTime();
    BackupSummary s =
        restic.backupStdin(
            "/databases/it/db/dump.sql", "h1", TAGS, generate(size, written, true), log, TIMEOUT);
    Duration backup = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(size, s.totalBytesProcessed());

    MessageDigest read = sha256();
    start = System.nanoTime();
    try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), read)) {
      restic.dump(s.snapshotId(), "/databases/it/db/dump.sql", out);
    }
    Duration dump = Duration.ofNanos(System.nanoTime() - start);
    assertArrayEquals(written.digest(), read.digest());
    System.out.printf(
        "100 MiB: backupStdin %d ms, dump %d ms%n", backup.toMillis(), dump.toMillis());
  }

  @Test
  void abortedBackupStdin_producerReturnsFalse_leavesNoSnapshotAndNoLock() {
    restic.ensureRepository();
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                restic.backupStdin(
                    "/dump.sql", "h1", TAGS, generate(10L << 20, sha256(), false), log, TIMEOUT));
    assertEquals(Kind.FAILED, e.kind());
    assertTrue(e.getMessage().contains("aborted, no snapshot"), e.getMessage());
    assertEquals(List.of(), restic.snapshots(null, List.of()));
    assertEquals(List.of(), restic.locks());
  }

  @Test
  void abortedBackupStdin_producerThrows_leavesNoSnapshot() {
    restic.ensureRepository();
    StdinProducer failing =
        out -> {
          out.write(new byte[5 << 20]);
          throw new IOException("pg_dump: connection lost");
        };
    ResticException e =
        assertThrows(
            ResticException.class,
            () -> restic.backupStdin("/dump.sql", "h1", TAGS, failing, log, TIMEOUT));
    assertTrue(e.getMessage().contains("pg_dump: connection lost"), e.getMessage());
    assertEquals(IOException.class, e.getSuppressed()[0].getClass());
    assertEquals(List.of(), restic.snapshots(null, List.of()));
  }

  @Test
  void backupStdin_producerSleepsPastTimeout_interruptsResticQuickly_noStaleLock() {
    restic.ensureRepository();
    StdinProducer slow =
        out -> {
          out.write("partial".getBytes(StandardCharsets.UTF_8));
          out.flush();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          }
          return true;
        };
    long start = System.nanoTime();
    ResticException e =
        assertThrows(
            ResticException.class,
            () -> restic.backupStdin("/slow.sql", "h1", TAGS, slow, log, Duration.ofSeconds(3)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
    assertFalse(Thread.currentThread().isInterrupted(), "the watchdog's interrupt leaked");
    assertEquals(List.of(), restic.locks());
    assertEquals(List.of(), restic.snapshots(null, List.of()));
  }

  @Test
  void snapshots_filterByHostAndAllTags() {
    restic.ensureRepository();
    String a = small("h1", List.of("stack-back", "service=db")).shortId();
    String b = small("h1", List.of("stack-back", "service=web")).shortId();
    String c = small("h2", List.of("stack-back", "service=db")).shortId();

    assertEquals(3, restic.snapshots(null, List.of()).size());
    assertEquals(List.of(a, b), shortIds(restic.snapshots("h1", List.of())));
    assertEquals(List.of(a, c), shortIds(restic.snapshots(null, List.of("service=db"))));
    assertEquals(List.of(a), shortIds(restic.snapshots("h1", List.of("stack-back", "service=db"))));
    assertEquals(List.of(), restic.snapshots("h1", List.of("stack-back", "service=nope")));
    Snapshot first = restic.snapshots("h1", List.of("service=db")).get(0);
    assertEquals("db", first.tagValue("service"));
    assertEquals(List.of("/dump.sql"), first.paths());
  }

  @Test
  void forget_keepsPerPolicy_onlyOurHostAndTag() {
    restic.ensureRepository();
    for (int i = 0; i < 3; i++) {
      small("h1", List.of("stack-back"));
      small("h2", List.of("stack-back"));
    }
    small("h1", List.of("other-tool"));

    restic.forget("h1", "stack-back", new KeepPolicy(1, 0, 0, 0), true, log);

    assertEquals(1, restic.snapshots("h1", List.of("stack-back")).size());
    assertEquals(3, restic.snapshots("h2", List.of("stack-back")).size());
    assertEquals(1, restic.snapshots("h1", List.of("other-tool")).size());
    restic.check(Optional.empty(), log);
  }

  @Test
  void check_passesOnAFreshRepository_alsoWithDataSubset() {
    restic.ensureRepository();
    small("h1", List.of("stack-back"));
    restic.check(Optional.empty(), log);
    restic.check(Optional.of("100%"), log);
    assertTrue(
        logged.stream().anyMatch(l -> l.contains("no errors were found")), logged.toString());
  }

  private BackupSummary small(String host, List<String> tags) {
    return restic.backupStdin(
        "/dump.sql",
        host,
        tags,
        out -> {
          out.write(
              ("data for " + host + tags + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
          return true;
        },
        log,
        TIMEOUT);
  }

  private static List<String> shortIds(List<Snapshot> snapshots) {
    return snapshots.stream().map(Snapshot::shortId).toList();
  }

  /** Writes {@code size} pseudo-random bytes in 1 MiB chunks (never the whole stream at once). */
  private static StdinProducer generate(long size, MessageDigest digest, boolean complete) {
    return out -> {
      Random random = new Random(42);
      byte[] chunk = new byte[1 << 20];
      for (long left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        digest.update(chunk, 0, n);
        out.write(chunk, 0, n);
      }
      return complete;
    };
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The restic binary under test. */
  String binary() {
    return BINARY;
  }

  private ResticCli cli(Path repository, String password) {
    return new ResticCli(
        binary(),
        Map.of(
            "RESTIC_REPOSITORY", repository.toString(),
            "RESTIC_PASSWORD", password,
            "RESTIC_CACHE_DIR", tmp.resolve("cache").toString()),
        TIMEOUT,
        false);
  }
}
