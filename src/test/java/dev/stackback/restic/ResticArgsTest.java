package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.KeepPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResticArgsTest {

  @Test
  void backupPaths_hasJsonHostTagsAndPathsAfterDoubleDash() {
    assertEquals(
        List.of(
            "restic",
            "backup",
            "--json",
            "--host",
            "prod",
            "--tag",
            "stack-back",
            "--tag",
            "project=web",
            "--",
            "/volumes/web/data",
            "/volumes/web/conf"),
        ResticArgs.backupPaths(
            "prod",
            List.of("stack-back", "project=web"),
            List.of("/volumes/web/data", "/volumes/web/conf")));
  }

  @Test
  void backupStdin_namesTheFile() {
    assertEquals(
        List.of(
            "restic",
            "backup",
            "--stdin",
            "--stdin-filename",
            "/databases/db/dump.sql",
            "--json",
            "--host",
            "prod",
            "--tag",
            "stack-back"),
        ResticArgs.backupStdin("/databases/db/dump.sql", "prod", List.of("stack-back")));
  }

  @Test
  void snapshots_andsTagsWithOneCommaSeparatedFlag() {
    assertEquals(
        List.of("restic", "snapshots", "--json", "--host", "h", "--tag", "stack-back,service=db"),
        ResticArgs.snapshots("h", List.of("stack-back", "service=db")));
    assertEquals(List.of("restic", "snapshots", "--json"), ResticArgs.snapshots(null, List.of()));
  }

  @Test
  void forget_scopesToHostAndTag_groupsByHostAndPaths() {
    assertEquals(
        List.of(
            "restic",
            "forget",
            "--host",
            "h",
            "--tag",
            "stack-back",
            "--group-by",
            "host,paths",
            "--keep-daily",
            "7",
            "--keep-weekly",
            "4",
            "--keep-monthly",
            "12",
            "--keep-yearly",
            "3",
            "--prune"),
        ResticArgs.forget("h", "stack-back", new KeepPolicy(7, 4, 12, 3), true));
    assertFalse(ResticArgs.forget("h", "t", new KeepPolicy(1, 0, 0, 0), false).contains("--prune"));
  }

  @Test
  void check_noCacheAndSubset() {
    assertEquals(
        List.of("restic", "check", "--no-cache", "--read-data-subset", "5%"),
        ResticArgs.check(true, Optional.of("5%")));
    assertEquals(List.of("restic", "check"), ResticArgs.check(false, Optional.empty()));
  }

  @Test
  void restore_fromRootWithAnIncludePerPath_deleteOnlyWhenAsked() {
    List<String> base =
        List.of(
            "restic",
            "restore",
            "abc",
            "--target",
            "/",
            "--include",
            "/volumes/a/x",
            "--include",
            "/volumes/a/y");
    List<String> includes = List.of("/volumes/a/x", "/volumes/a/y");
    assertEquals(base, ResticArgs.restore("abc", java.nio.file.Path.of("/"), includes, false));
    List<String> withDelete = new java.util.ArrayList<>(base);
    withDelete.add("--delete");
    assertEquals(withDelete, ResticArgs.restore("abc", java.nio.file.Path.of("/"), includes, true));
  }

  @Test
  void restoreCommand_needsAnInclude() {
    ResticCli cli = new ResticCli(java.util.Map.of(), java.time.Duration.ofSeconds(5));
    assertThrows(IllegalArgumentException.class, () -> cli.restoreCommand("abc", List.of()));
  }

  @Test
  void restoreDeletes_from0_17() {
    assertFalse(
        ResticVersion.parse("restic 0.14.0 compiled with go1.19.8").orElseThrow().restoreDeletes());
    assertFalse(ResticVersion.parse("restic 0.16.5 compiled").orElseThrow().restoreDeletes());
    assertTrue(ResticVersion.parse("restic 0.17.0 compiled").orElseThrow().restoreDeletes());
    assertTrue(
        ResticVersion.parse("restic 0.19.1 compiled with go1.26.4").orElseThrow().restoreDeletes());
  }

  @Test
  void restoreDumpCatConfigInit() {
    assertEquals(
        List.of("restic", "restore", "abc", "--target", "/tmp/t", "--include", "/data"),
        ResticArgs.restore("abc", Path.of("/tmp/t"), List.of("/data")));
    assertEquals(List.of("restic", "dump", "abc", "/db.sql"), ResticArgs.dump("abc", "/db.sql"));
    assertEquals(List.of("restic", "cat", "config"), ResticArgs.catConfig());
    assertEquals(List.of("restic", "init"), ResticArgs.init());
  }

  @Test
  void rejectsCommaInTag_blankHost_optionLikeSnapshotId() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ResticArgs.backupPaths("h", List.of("a,b"), List.of("/x")));
    assertThrows(IllegalArgumentException.class, () -> ResticArgs.backupStdin("f", " ", List.of()));
    assertThrows(IllegalArgumentException.class, () -> ResticArgs.dump("--help", "/x"));
    assertThrows(
        IllegalArgumentException.class, () -> ResticArgs.backupPaths("h", List.of(), List.of()));
  }

  @Test
  void noArgvCarriesAnythingButWhatWeGave() {
    // the builders take no secrets at all: repository and password travel in the environment
    List<List<String>> all =
        List.of(
            ResticArgs.backupPaths("h", List.of("t"), List.of("/p")),
            ResticArgs.backupStdin("f", "h", List.of("t")),
            ResticArgs.snapshots("h", List.of("t")),
            ResticArgs.forget("h", "t", new KeepPolicy(1, 1, 1, 1), true),
            ResticArgs.check(true, Optional.empty()),
            ResticArgs.catConfig(),
            ResticArgs.init());
    for (List<String> argv : all) {
      for (String word : argv) {
        assertFalse(word.contains("password") || word.startsWith("--repo"), word);
      }
    }
  }

  @Test
  void forgetHostsByPaths_everyHost_groupsByPathsOnly_noTag() {
    assertEquals(
        List.of(
            "restic",
            "forget",
            "--host",
            "a1",
            "--host",
            "b2",
            "--group-by",
            "paths",
            "--keep-daily",
            "7",
            "--keep-weekly",
            "4",
            "--keep-monthly",
            "12",
            "--keep-yearly",
            "3",
            "--prune"),
        ResticArgs.forgetHostsByPaths(List.of("a1", "b2"), new KeepPolicy(7, 4, 12, 3), true));
    assertThrows(
        IllegalArgumentException.class,
        () -> ResticArgs.forgetHostsByPaths(List.of(), new KeepPolicy(1, 1, 1, 1), true));
  }

  @Test
  void forgetIds_onlyHexIds_afterDoubleDash() {
    assertEquals(
        List.of("restic", "forget", "--prune", "--", "0123abcd", "deadbeef"),
        ResticArgs.forgetIds(List.of("0123abcd", "deadbeef"), true));
    assertThrows(
        IllegalArgumentException.class, () -> ResticArgs.forgetIds(List.of("--all"), false));
    assertThrows(IllegalArgumentException.class, () -> ResticArgs.forgetIds(List.of(), false));
  }
}
