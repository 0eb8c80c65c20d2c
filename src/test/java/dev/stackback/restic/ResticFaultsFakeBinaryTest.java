package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.Restic.RepositoryState;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Locks and missing repositories against a shell script standing in for restic: it appends every
 * argv to a calls file, so the tests see what was run (unlock, retries, never init over data).
 */
class ResticFaultsFakeBinaryTest {
  private static final String LOCKED_0_14 =
      "echo 'unable to create lock in backend: repository is already locked exclusively by PID"
          + " 4242 on otherhost by root (UID 0, GID 0)' >&2\n"
          + "echo 'lock was created at 2026-12-02 06:44:19 (1m2s ago)' >&2\n"
          + "exit 1\n";
  private static final String NO_CONFIG =
      "echo 'Fatal: unable to open config file: stat /r/config: no such file or directory' >&2\n"
          + "echo 'Is there a repository at the following location?' >&2\nexit 1\n";
  private static final String LOCK_JSON =
      "{\"time\":\"2026-12-02T06:44:19Z\",\"exclusive\":true,\"hostname\":\"otherhost\","
          + "\"username\":\"root\",\"pid\":4242}";

  @TempDir Path dir;

  @Test
  void lockedOnce_staleLocksRemoved_thenRetriedOnce_ok() throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            case "$1" in
              unlock) touch "$D/unlocked"; echo 'successfully removed locks'; exit 0;;
              version) echo 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'; exit 0;;
            esac
            [ -e "$D/unlocked" ] && { echo '{"version":2}'; exit 0; }
            """
                + LOCKED_0_14);

    assertEquals(RepositoryState.EXISTING, cli.ensureRepository());

    assertEquals(
        List.of("cat config", "unlock", "version", "cat config"), calls(), "0.14: no wait flag");
  }

  @Test
  void lockStaysAfterUnlock_failsNamingTheLock_neverRemoveAll() throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            case "$1" in
              unlock) echo 'successfully removed locks'; exit 0;;
              version) echo 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'; exit 0;;
              list) echo 'fb31a218aaaabbbbccccdddd'; exit 0;;
              cat) [ "$2" = lock ] && { echo '%s'; exit 0; };;
            esac
            """
                    .formatted(LOCK_JSON)
                + LOCKED_0_14);

    ResticException e =
        assertThrows(
            ResticException.class, () -> cli.forget("h", "stack-back", keep(), true, null));

    assertEquals(Kind.LOCKED, e.kind());
    String m = e.getMessage();
    assertTrue(m.contains("PID 4242 on otherhost"), m);
    assertTrue(m.contains("fb31a218 (exclusive, host otherhost, pid 4242, user root"), m);
    assertTrue(m.contains("restic 0.14.0 cannot wait for a lock (0.16+ can)"), m);
    assertTrue(m.contains("restic unlock --remove-all"), m);
    List<String> calls = calls();
    assertEquals("unlock", calls.get(1));
    assertEquals(2, calls.stream().filter(c -> c.startsWith("forget")).count(), calls.toString());
    assertFalse(calls.stream().anyMatch(c -> c.contains("--remove-all")), calls.toString());
  }

  @Test
  void newRestic_retryUsesABoundedRetryLock() throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            case "$1" in
              unlock) echo 'successfully removed 0 locks'; exit 0;;
              version) echo 'restic 0.18.1 compiled with go1.24.4 on linux/amd64'; exit 0;;
              --retry-lock) echo '[]'; exit 0;;
            esac
            echo 'repo already locked, waiting up to 0s for the lock' >&2
            exit 11
            """);

    assertEquals(List.of(), cli.snapshots(null, List.of()));

    List<String> calls = calls();
    assertEquals(4, calls.size(), calls.toString());
    assertEquals("--retry-lock 120s snapshots --json", calls.get(3));
  }

  @Test
  void noConfig_localDirectoryWithLeftovers_isDamaged_neverInitialised() throws IOException {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.createDirectories(repo.resolve("data/1c"));
    Files.writeString(repo.resolve("index-leftover"), "x");
    ResticCli cli = cli(repo.toString(), "[ \"$1\" = init ] && exit 0\n" + NO_CONFIG);

    ResticException e = assertThrows(ResticException.class, cli::ensureRepository);

    assertEquals(Kind.DAMAGED, e.kind());
    String m = e.getMessage();
    assertTrue(m.startsWith("repository at " + repo + " is gone or damaged: "), m);
    assertTrue(m.contains("not empty (data, index-leftover)"), m);
    assertTrue(m.contains("point RESTIC_REPOSITORY elsewhere"), m);
    assertTrue(m.contains("will not initialise over existing data"), m);
    assertEquals(List.of("cat config"), calls());
  }

  @Test
  void noConfig_missingOrEmptyLocalDirectory_isInitialised() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    String script = "[ \"$1\" = init ] && exit 0\n" + NO_CONFIG;
    assertEquals(RepositoryState.INITIALISED, cli(empty.toString(), script).ensureRepository());
    assertEquals(
        RepositoryState.INITIALISED,
        cli("local:" + dir.resolve("missing"), script).ensureRepository());
    assertEquals(List.of("cat config", "init", "cat config", "init"), calls());
  }

  @Test
  void repositoryUsedBefore_thatVanishedCompletely_isNotInitialisedAfresh() throws IOException {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path repo = dir.resolve("repo"); // never created: the directory is gone entirely
    String config = "echo '{\"version\":2,\"id\":\"be981869abaf258f\"}'; exit 0\n";
    assertEquals(RepositoryState.EXISTING, cli(repo.toString(), config, state).ensureRepository());
    String missing = "[ \"$1\" = init ] && exit 0\n" + NO_CONFIG;

    ResticException e =
        assertThrows(
            ResticException.class, () -> cli(repo.toString(), missing, state).ensureRepository());

    assertEquals(Kind.DAMAGED, e.kind());
    assertTrue(e.getMessage().contains("used repository be981869ab there before"), e.getMessage());
    assertTrue(e.getMessage().contains("run `restic init` yourself"), e.getMessage());
    assertEquals(List.of("cat config", "cat config"), calls());
    // another location is new: initialised (and then remembered)
    Path other = dir.resolve("other");
    String initThenConfig =
        "[ \"$1\" = init ] && { touch \"$D/init\"; exit 0; }\n[ -e \"$D/init\" ] && { "
            + config.strip()
            + "; }\n"
            + NO_CONFIG;
    assertEquals(
        RepositoryState.INITIALISED,
        cli(other.toString(), initThenConfig, state).ensureRepository());
    assertFalse(Files.readString(state.resolve("known-repositories")).contains(dir.toString()));
  }

  @Test
  void remote_initOnlyWhenResticSaysTheConfigIsAbsent() throws IOException {
    String unreachable =
        "[ \"$1\" = init ] && exit 0\n"
            + "echo 'Fatal: unable to open config file: Head \"http://x/config\": dial tcp:"
            + " connection refused' >&2\n"
            + "echo 'Is there a repository at the following location?' >&2\nexit 1\n";
    ResticException e =
        assertThrows(
            ResticException.class, () -> cli("rest:http://x/", unreachable).ensureRepository());
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().startsWith("cannot reach rest:http://x/: "), e.getMessage());
    String denied =
        "[ \"$1\" = init ] && exit 0\n"
            + "echo 'Fatal: unable to open config file: Stat: Access Denied.' >&2\n"
            + "echo 'Is there a repository at the following location?' >&2\nexit 1\n";
    e = assertThrows(ResticException.class, () -> cli("s3:http://x/b", denied).ensureRepository());
    assertEquals(Kind.FAILED, e.kind());
    assertTrue(e.getMessage().contains("does not say that it is missing"), e.getMessage());
    assertEquals(
        RepositoryState.INITIALISED,
        cli("rest:http://x/", "[ \"$1\" = init ] && exit 0\n" + NO_CONFIG).ensureRepository());
    assertEquals(
        RepositoryState.INITIALISED,
        cli("s3:http://x/b", "[ \"$1\" = init ] && exit 0\nexit 10\n").ensureRepository());
    assertEquals(
        List.of("cat config", "cat config", "cat config", "init", "cat config", "init"), calls());
  }

  @Test
  void backupThatLostItsLock_exit0WithSummary_isNotOk() throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            echo '{"message_type":"summary","files_new":1,"snapshot_id":"770824ae"}'
            echo 'Remove(<lock/88bd4e7a48>) returned error, retrying after 535ms: chmod /r/locks/88bd: no such file or directory' >&2
            echo 'error in cleanup handler: chmod /r/locks/88bd: no such file or directory' >&2
            exit 0
            """);

    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                cli.backupPaths(
                    List.of("/x"), "h", List.of(), OutputLine.discard(), Duration.ofSeconds(10)));

    assertEquals(Kind.DAMAGED, e.kind());
    assertTrue(e.getMessage().contains("snapshot 770824ae"), e.getMessage());
    assertTrue(e.getMessage().contains("lock vanished"), e.getMessage());
  }

  @Test
  void workerOutput_lockVanished_isDamaged_lockThatCouldNotBeRemovedOtherwise_isOk() {
    String summary = "{\"message_type\":\"summary\",\"files_new\":1,\"snapshot_id\":\"abc\"}";
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                ResticJson.parseBackupSummary(
                    List.of(
                        summary,
                        "Remove(<lock/f8a97100bc>) failed: chmod /r/locks/f8a9: no such file or"
                            + " directory"),
                    0));
    assertEquals(Kind.DAMAGED, e.kind());
    // a read-only repository: the snapshot is there, the lock stays (cleared by a later unlock)
    assertEquals(
        "abc",
        ResticJson.parseBackupSummary(
                List.of(
                    summary,
                    "Remove(<lock/f8a97100bc>) failed: chmod /r/locks/f8a9: permission denied"),
                0)
            .snapshotId());
  }

  private static dev.stackback.port.KeepPolicy keep() {
    return new dev.stackback.port.KeepPolicy(7, 4, 12, 3);
  }

  private List<String> calls() throws IOException {
    Path calls = dir.resolve("calls");
    return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
  }

  private ResticCli cli(String repository, String body) throws IOException {
    return cli(repository, body, null);
  }

  /** A ResticCli running {@code body} as restic; {@code stateDir} may be null. */
  private ResticCli cli(String repository, String body, Path stateDir) throws IOException {
    Path script = dir.resolve("restic-" + System.nanoTime());
    Files.writeString(script, "#!/bin/sh\nD='" + dir + "'\necho \"$*\" >> \"$D/calls\"\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new ResticCli(
        script.toString(),
        Map.of("RESTIC_REPOSITORY", repository, "RESTIC_PASSWORD", "pw"),
        Duration.ofSeconds(10),
        false,
        stateDir);
  }

  @Test
  void locked_sweeperGetsTheLocksLeft_afterOwnUnlock_beforeTheOneRetry_onlyOnALockFailure()
      throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            case "$1" in
              unlock) echo 'successfully removed 0 locks'; exit 0;;
              version) echo 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'; exit 0;;
              list) echo 'fb31a218aaaabbbbccccdddd'; exit 0;;
              cat) [ "$2" = lock ] && { echo '%s'; exit 0; };;
            esac
            [ -e "$D/swept" ] && { echo '{"version":2}'; exit 0; }
            """
                    .formatted(LOCK_JSON)
                + LOCKED_0_14);
    List<List<Restic.LockInfo>> seen = new ArrayList<>();
    cli.sweepLocksWith(
        locks -> {
          seen.add(locks);
          try {
            Files.writeString(dir.resolve("swept"), "");
            Files.writeString(dir.resolve("calls"), "sweep\n", StandardOpenOption.APPEND);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });

    assertEquals(RepositoryState.EXISTING, cli.ensureRepository());
    assertEquals(RepositoryState.EXISTING, cli.ensureRepository());

    assertEquals(
        List.of(
            "cat config",
            "unlock",
            "list locks --no-lock",
            "cat lock fb31a218aaaabbbbccccdddd --no-lock",
            "sweep",
            "version",
            "cat config",
            "cat config"),
        calls());
    assertEquals(
        List.of(List.of(new Restic.LockInfo("fb31a218aaaabbbbccccdddd", "otherhost", 4242, true))),
        seen);
    assertEquals(List.of("restic", "unlock"), cli.unlockCommand());
  }

  @Test
  void locked_aFailingSweeper_isLoggedOnly_theRetryStillRuns() throws IOException {
    ResticCli cli =
        cli(
            "/repo",
            """
            case "$1" in
              unlock) touch "$D/unlocked"; echo 'successfully removed locks'; exit 0;;
              version) echo 'restic 0.14.0 compiled with go1.19.8 on linux/amd64'; exit 0;;
              list) echo 'fb31a218aaaabbbbccccdddd'; exit 0;;
              cat) [ "$2" = lock ] && { echo '%s'; exit 0; };;
            esac
            [ -e "$D/unlocked" ] && { echo '{"version":2}'; exit 0; }
            """
                    .formatted(LOCK_JSON)
                + LOCKED_0_14);
    cli.sweepLocksWith(
        locks -> {
          throw new IllegalStateException("engine gone");
        });

    assertEquals(RepositoryState.EXISTING, cli.ensureRepository());
    assertEquals(
        List.of(
            "cat config",
            "unlock",
            "list locks --no-lock",
            "cat lock fb31a218aaaabbbbccccdddd --no-lock",
            "version",
            "cat config"),
        calls());
  }

  @Test
  void versionParsing() {
    assertEquals(
        Optional.of(new ResticVersion(0, 14, 0)),
        ResticVersion.parse("restic 0.14.0 compiled with go1.19.8 on linux/amd64"));
    assertFalse(new ResticVersion(0, 15, 2).retriesLocks());
    assertTrue(new ResticVersion(0, 16, 0).retriesLocks());
    assertTrue(ResticVersion.parse("restic 0.19.1 compiled").orElseThrow().retriesLocks());
    assertEquals(Optional.empty(), ResticVersion.parse("sh: restic: not found"));
  }
}
