package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.BackupProgress;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import dev.stackback.port.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Samples captured from restic 0.14.0 (Debian bookworm) on a temporary repository. */
class ResticJsonTest {

  @Test
  void backupPathsSummary_fromRealOutput() throws IOException {
    BackupSummary s = ResticJson.parseBackupSummary(lines("backup-paths-0.14.jsonl"), 0);
    assertEquals("f6c7becf", s.snapshotId());
    assertEquals(0, s.filesNew());
    assertEquals(0, s.filesChanged());
    assertEquals(2, s.filesUnmodified());
    assertEquals(0, s.dataAdded());
    assertEquals(100006, s.totalBytesProcessed());
    assertEquals(Duration.ofNanos(210084485), s.duration());
    assertFalse(s.incomplete());
  }

  @Test
  void backupStdinSummary_amongStatusLinesAndWorkerNoise() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("worker: starting restic");
    lines.add("\u001B[2Ksome stderr line");
    lines.addAll(lines("backup-stdin-0.14.jsonl"));
    lines.add("{not json");
    BackupSummary s = ResticJson.parseBackupSummary(lines, 0);
    assertEquals("5d3838ec", s.snapshotId());
    assertEquals(1, s.filesNew());
    assertEquals(30002031, s.dataAdded());
    assertEquals(30000000, s.totalBytesProcessed());
  }

  @Test
  void exit3_givesIncompleteSummary() throws IOException {
    BackupSummary s = ResticJson.parseBackupSummary(lines("backup-paths-0.14.jsonl"), 3);
    assertTrue(s.incomplete());
  }

  @Test
  void unknownFieldsAreIgnored() {
    BackupSummary s =
        ResticJson.parseBackupSummary(
            List.of(
                "{\"message_type\":\"summary\",\"new_field\":{\"x\":1},\"files_new\":5,"
                    + "\"snapshot_id\":\"0123456789abcdef\",\"total_duration\":1.5}"),
            0);
    assertEquals("0123456789abcdef", s.snapshotId());
    assertEquals(5, s.filesNew());
    assertEquals(Duration.ofMillis(1500), s.duration());
  }

  @Test
  void failedExit_throwsWithKindAndLastLines() {
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                ResticJson.parseBackupSummary(
                    List.of(
                        "{\"message_type\":\"status\",\"percent_done\":0}",
                        "Fatal: wrong password or no key found"),
                    1));
    assertEquals(Kind.WRONG_PASSWORD, e.kind());
    assertEquals(1, e.exitCode());
    assertTrue(e.getMessage().contains("wrong password or no key found"), e.getMessage());
    assertFalse(e.getMessage().contains("message_type"), e.getMessage());
  }

  /** restic 0.17+ with --json prints its fatal error as JSON only (captured from 0.18.0). */
  @Test
  void failedExit_keepsTheTextOfJsonErrors() {
    ResticException e =
        assertThrows(
            ResticException.class,
            () ->
                ResticJson.parseBackupSummary(
                    List.of(
                        "{\"message_type\":\"error\",\"error\":{\"message\":\"permission"
                            + " denied\"},\"during\":\"archival\",\"item\":\"/data/x\"}",
                        "{\"message_type\":\"exit_error\",\"code\":1,\"message\":\"Fatal:"
                            + " unable to save snapshot: open /databases: no such file or"
                            + " directory\"}"),
                    1));
    assertTrue(
        e.getMessage()
            .endsWith(
                "/data/x: permission denied | Fatal: unable to save snapshot: open /databases:"
                    + " no such file or directory"),
        e.getMessage());
  }

  @Test
  void noSummary_throwsFailed() {
    ResticException e =
        assertThrows(
            ResticException.class, () -> ResticJson.parseBackupSummary(List.of("hello"), 0));
    assertEquals(Kind.FAILED, e.kind());
  }

  @Test
  void snapshots_fromRealOutput() throws IOException {
    List<Snapshot> all = ResticJson.parseSnapshots(String.join("\n", lines("snapshots-0.14.json")));
    assertEquals(7, all.size());
    Snapshot first = all.get(0);
    assertEquals("f18ba538", first.shortId());
    assertEquals("f18ba5380ea746649ae2da36a18a188305247e6e38a29951434f8305fe2e60b0", first.id());
    assertEquals(Instant.parse("2026-11-22T10:46:41.0087551Z"), first.time());
    assertEquals("h1", first.hostname());
    assertEquals(List.of("/tmp/rs/data"), first.paths());
    assertEquals(List.of("stack-back", "project=p"), first.tags());
    assertEquals("p", first.tagValue("project"));
    assertEquals(List.of(), all.get(2).tags()); // restic omits "tags" when there are none
  }

  @Test
  void snapshots_emptyListAndLocalTimeOffsets() {
    assertEquals(List.of(), ResticJson.parseSnapshots("[]"));
    Snapshot s =
        ResticJson.parseSnapshots(
                "[{\"time\":\"2026-11-22T11:46:41.5+01:00\",\"id\":\"abcdef0123456789\","
                    + "\"hostname\":\"h\",\"paths\":[\"/x\"]}]")
            .get(0);
    assertEquals(Instant.parse("2026-11-22T10:46:41.5Z"), s.time());
    assertEquals("abcdef01", s.shortId());
  }

  @Test
  void statusLines_areRecognised() throws IOException {
    String status = lines("backup-stdin-0.14.jsonl").get(1);
    assertTrue(ResticJson.isStatus(status));
    assertFalse(ResticJson.isStatus("{\"message_type\":\"summary\"}"));
    assertTrue(ResticJson.parseStatus("{\"message_type\":\"summary\"}").isEmpty());
    assertTrue(ResticJson.parseStatus("not json \"message_type\":\"status\"").isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"backup-progress-0.14.jsonl", "backup-progress-0.19.jsonl"})
  void statusOfAPathsBackup_realOutput_givesTotalsAndEta(String resource) throws IOException {
    // captured from a real restic (RESTIC_PROGRESS_FPS=1) backing up 300 MiB in 21 files
    List<String> lines = lines(resource);
    BackupProgress p = ResticJson.parseStatus(lines.get(1)).orElseThrow();
    assertEquals(314572851L, p.totalBytes());
    assertEquals(21, p.totalFiles());
    assertEquals(20, p.filesDone());
    assertEquals(2, p.secondsElapsed());
    assertTrue(p.bytesDone() > 0 && p.bytesDone() < p.totalBytes(), p.toString());
    assertEquals((double) p.bytesDone() / p.totalBytes(), p.percentDone(), 0.01);
    assertTrue(p.secondsRemaining().isPresent(), p.toString());
    long statusLines = lines.stream().filter(l -> ResticJson.parseStatus(l).isPresent()).count();
    assertEquals(lines.size() - 1, statusLines); // all but the summary
    assertTrue(ResticJson.findSummary(lines, 0).isPresent());
  }

  @ParameterizedTest
  @ValueSource(strings = {"backup-stdin-progress-0.14.jsonl", "backup-stdin-progress-0.19.jsonl"})
  void statusOfAStdinBackup_hasNoTotal_andNoEta(String resource) throws IOException {
    // restic prints seconds_remaining of ~5e11 for stdin: it must not become an ETA
    BackupProgress p = ResticJson.parseStatus(lines(resource).get(2)).orElseThrow();
    assertEquals(0, p.totalBytes());
    assertEquals(0.0, p.percentDone());
    assertTrue(p.bytesDone() > 0);
    assertEquals(3, p.secondsElapsed());
    assertEquals(OptionalLong.empty(), p.secondsRemaining());
  }

  static List<String> lines(String resource) throws IOException {
    try (InputStream in = ResticJsonTest.class.getResourceAsStream("/restic/" + resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }
}
