package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.OutputLine;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** ResticCli against a shell script standing in for restic: exit codes we cannot provoke. */
class ResticCliFakeBinaryTest {
  private static final String SECRET = "pa55-very-secret";

  @TempDir Path dir;

  @Test
  void exit3_returnsSummaryMarkedIncomplete() throws IOException {
    ResticCli cli =
        cli(
            """
            echo '{"message_type":"summary","files_new":1,"snapshot_id":"abcd1234"}'
            echo 'error: open /x: permission denied' >&2
            exit 3
            """);
    BackupSummary s =
        cli.backupPaths(
            List.of("/x"), "h", List.of("t"), OutputLine.discard(), Duration.ofSeconds(10));
    assertTrue(s.incomplete());
    assertEquals("abcd1234", s.snapshotId());
  }

  @Test
  void backups_getTheProgressRate_statusLinesAreForwardedNotKept() throws IOException {
    // 5000 status lines, then the summary; the script echoes the rate it was given
    ResticCli cli =
        cli(
            """
            echo "fps=$RESTIC_PROGRESS_FPS" >&2
            i=0; while [ $i -lt 5000 ]; do
              echo '{"message_type":"status","percent_done":0.5,"total_bytes":2,"bytes_done":1}'
              i=$((i+1))
            done
            echo '{"message_type":"summary","files_new":1,"snapshot_id":"abcd1234"}'
            """);
    List<String> logged = new CopyOnWriteArrayList<>();
    BackupSummary s =
        cli.backupPaths(
            List.of("/x"), "h", List.of(), (st, l) -> logged.add(l), Duration.ofSeconds(20));
    assertEquals("abcd1234", s.snapshotId());
    assertTrue(logged.contains("fps=" + ResticCli.PROGRESS_FPS_VALUE), logged::toString);
    long status = logged.stream().filter(l -> cli.progress(l).isPresent()).count();
    assertEquals(5000, status); // the caller throttles them

    ResticCli.Result r =
        cli.runQuietly(List.of("restic", "snapshots"), Duration.ofSeconds(20)); // not a backup
    // no rate for other commands: restic would print text progress where it prints none
    assertTrue(r.output().stderrLines().contains("fps="), r.output().stderrLines()::toString);
    assertEquals(1, r.output().stdoutLines().size(), "status lines are not kept, only the summary");
  }

  @Test
  void userSetProgressRate_wins() throws IOException {
    Path script = dir.resolve("restic-fps");
    Files.writeString(
        script,
        "#!/bin/sh\necho \"fps=$RESTIC_PROGRESS_FPS\" >&2\n"
            + "echo '{\"message_type\":\"summary\",\"snapshot_id\":\"abcd1234\"}'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    ResticCli cli =
        new ResticCli(
            script.toString(),
            Map.of(
                "RESTIC_REPOSITORY",
                "/nowhere",
                "RESTIC_PASSWORD",
                SECRET,
                "RESTIC_PROGRESS_FPS",
                "3"),
            Duration.ofSeconds(10),
            false);
    List<String> logged = new CopyOnWriteArrayList<>();
    cli.backupPaths(
        List.of("/x"), "h", List.of(), (st, l) -> logged.add(l), Duration.ofSeconds(10));
    assertTrue(logged.contains("fps=3"), logged::toString);
    assertEquals(Map.of(), cli.backupCommandEnv());
  }

  @Test
  void exit12_isWrongPassword_andTheSecretIsRedacted() throws IOException {
    ResticCli cli = cli("echo \"Fatal: wrong password $RESTIC_PASSWORD\" >&2\nexit 12\n");
    List<String> logged = new CopyOnWriteArrayList<>();
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                cli.backupPaths(
                    List.of("/x"),
                    "h",
                    List.of(),
                    (s, l) -> logged.add(l),
                    Duration.ofSeconds(10)));
    assertEquals(Kind.WRONG_PASSWORD, e.kind());
    assertEquals(12, e.exitCode());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertTrue(e.getMessage().contains("***"), e.getMessage());
    assertFalse(logged.isEmpty());
    logged.forEach(l -> assertFalse(l.contains(SECRET), l));
  }

  @Test
  void noLogEventAtAnyLevelCarriesTheSecret() throws IOException {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.TRACE);
    try {
      ResticCli cli = cli("echo '{\"message_type\":\"summary\",\"snapshot_id\":\"x\"}'\n");
      cli.backupPaths(List.of("/x"), "h", List.of(), null, Duration.ofSeconds(10));
    } finally {
      root.detachAppender(appender);
      root.setLevel(before);
    }
    // without MessageLoggers.NOP zt-exec logs "Executing [...] with environment
    // {RESTIC_PASSWORD=..}"
    // at DEBUG, and this assertion failed
    appender.list.forEach(
        e -> assertFalse(e.getFormattedMessage().contains(SECRET), e.getFormattedMessage()));
  }

  @Test
  void exit10_and11_mapToNoRepositoryAndLocked() throws IOException {
    assertEquals(Kind.NO_REPOSITORY, kindOf(cli("exit 10\n")));
    assertEquals(Kind.LOCKED, kindOf(cli("exit 11\n")));
  }

  @Test
  void ensureRepository_initialisesWhenNewResticSays10() throws IOException {
    Path marker = dir.resolve("initialised");
    ResticCli cli =
        cli(
            "if [ \"$1\" = init ]; then touch '"
                + marker
                + "'; exit 0; fi\n[ -e '"
                + marker
                + "' ] && exit 0\nexit 10\n");
    assertEquals(dev.stackback.port.Restic.RepositoryState.INITIALISED, cli.ensureRepository());
    assertEquals(dev.stackback.port.Restic.RepositoryState.EXISTING, cli.ensureRepository());
  }

  @Test
  void prefetchedCheck_aSuccessIsTaken_resticRunsOnce() throws IOException {
    Path calls = dir.resolve("calls");
    ResticCli cli = cli("echo \"$1 $2\" >> '" + calls + "'\nexit 0\n");

    var prefetch = cli.prefetchRepositoryCheck();
    assertEquals(dev.stackback.port.Restic.RepositoryState.EXISTING, cli.ensureRepository());
    prefetch.close();

    assertEquals(List.of("cat config"), Files.readAllLines(calls));
  }

  @Test
  void prefetchedCheck_aFailureIsNotTaken_theCheckRunsAsWithoutIt() throws IOException {
    // the early read (before the run's locks) finds no repository: init happens in the check
    Path calls = dir.resolve("calls");
    Path marker = dir.resolve("initialised");
    ResticCli cli =
        cli(
            "echo \"$1 $2\" >> '"
                + calls
                + "'\nif [ \"$1\" = init ]; then touch '"
                + marker
                + "'; exit 0; fi\n[ -e '"
                + marker
                + "' ] && exit 0\nexit 10\n");

    cli.prefetchRepositoryCheck().close();
    assertEquals(dev.stackback.port.Restic.RepositoryState.INITIALISED, cli.ensureRepository());

    assertEquals(
        List.of("cat config", "cat config", "init"),
        Files.readAllLines(calls).stream().map(String::strip).toList());
  }

  @Test
  void snapshotsToShow_takeNoLock_snapshotsToActOnDo() throws IOException {
    Path calls = dir.resolve("calls");
    ResticCli cli = cli("echo \"$*\" >> '" + calls + "'\necho '[]'\n");

    cli.snapshotsToShow(null, List.of("stack-back"));
    cli.snapshots(null, List.of("stack-back"));

    List<String> argv = Files.readAllLines(calls);
    assertEquals(2, argv.size(), argv.toString());
    assertTrue(argv.get(0).contains("--no-lock"), argv.toString());
    assertFalse(argv.get(1).contains("--no-lock"), argv.toString());
  }

  private static Kind kindOf(ResticCli cli) {
    return assertThrows(ResticException.class, () -> cli.check(java.util.Optional.empty(), null))
        .kind();
  }

  @Test
  void restic0180_refusesDumpsBeforeTheProducerRuns() throws IOException {
    ResticCli cli =
        cli(
            """
            if [ "$1" = version ]; then echo 'restic 0.18.0 compiled with go1.24.1'; exit 0; fi
            echo 'backup ran' >&2; exit 1
            """);
    boolean[] produced = {false};
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                cli.backupStdin(
                    "/databases/db/dump.sql",
                    "h",
                    List.of("t"),
                    out -> produced[0] = true,
                    OutputLine.discard(),
                    Duration.ofSeconds(10)));
    assertTrue(e.getMessage().contains("restic#5324"), e.getMessage());
    assertFalse(produced[0], "the dump ran for a backup that cannot be stored");
  }

  private ResticCli cli(String body) throws IOException {
    Path script = dir.resolve("restic-" + System.nanoTime());
    Files.writeString(script, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return new ResticCli(
        script.toString(),
        Map.of("RESTIC_REPOSITORY", "/nowhere", "RESTIC_PASSWORD", SECRET),
        Duration.ofSeconds(10),
        false);
  }
}
