package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.Snapshot;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code legacy} through picocli with the journaling fakes: it lists the Python tool's snapshots,
 * forgets nothing without {@code --yes}, forgets exactly them with it, and refuses a forget by
 * policy whose host filter would reach a snapshot that is not the Python tool's.
 */
class LegacyCommandTest {
  static final String HOST_A = "a1".repeat(32);
  static final String HOST_B = "b2".repeat(32);
  static final Snapshot OURS =
      new Snapshot(
          "ab12cd34ef",
          "ab12cd34",
          Instant.parse("2026-02-28T02:00:00Z"),
          "app",
          List.of("/volumes/web/data"),
          List.of("stack-back", "project=app", "service=web"));
  static final Snapshot PY_A =
      new Snapshot(
          "0000aaaa11",
          "0000aaaa",
          Instant.parse("2025-01-01T10:00:00Z"),
          HOST_A,
          List.of("/databases", "/volumes"),
          List.of());
  static final Snapshot PY_B =
      new Snapshot(
          "0000bbbb22",
          "0000bbbb",
          Instant.parse("2025-01-02T10:00:00Z"),
          HOST_B,
          List.of("/volumes"),
          List.of());

  Snapshot[] snapshots = {OURS, PY_A, PY_B};

  @TempDir Path state;

  final Journal journal = new Journal();
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    Stack stack = FakeApp.webStack();
    return FakeApp.of(stack, state, journal, new FakeRestic(journal).withSnapshots(snapshots))
        .execute(out, err, args);
  }

  @Test
  void list_onlyThePythonToolsSnapshots_oldestFirst_exit0() {
    assertEquals(0, run("legacy"), err::toString);
    String o = out.toString();
    assertTrue(o.startsWith("python stack-back (legacy) (2):"), o);
    assertTrue(o.indexOf("0000aaaa") < o.indexOf("0000bbbb"), o);
    assertTrue(!o.contains("ab12cd34"), o);
    assertEquals(List.of("restic snapshots"), journal.entries());
  }

  @Test
  void forgetWithoutYes_forgetsNothing_exit1() {
    assertEquals(1, run("legacy", "--forget-all"));
    assertTrue(err.toString().contains("add --yes"), err::toString);
    assertEquals(List.of("restic snapshots"), journal.entries());
  }

  @Test
  void forgetAllWithYes_forgetsExactlyThePythonOnes() {
    assertEquals(0, run("legacy", "--forget-all", "--yes"), err::toString);
    assertTrue(
        journal.entries().contains("restic forget 0000aaaa11 0000bbbb22"),
        journal.entries().toString());
    assertTrue(out.toString().contains("forgot 2 of 2"), out::toString);
  }

  @Test
  void forgetByPolicy_overTheirHostsGroupedByPaths() {
    assertEquals(0, run("legacy", "--forget", "--yes"), err::toString);
    assertTrue(
        journal
            .entries()
            .contains("restic forget --group-by paths --host " + HOST_A + "," + HOST_B),
        journal.entries().toString());
  }

  @Test
  void forgetByPolicy_refusedWhenAnotherSnapshotSharesTheirHost() {
    snapshots =
        new Snapshot[] {
          OURS,
          PY_A,
          new Snapshot(
              "0000cccc33",
              "0000cccc",
              Instant.parse("2025-01-03T10:00:00Z"),
              HOST_A,
              List.of("/root"),
              List.of())
        };
    assertEquals(1, run("legacy", "--forget", "--yes"));
    assertTrue(err.toString().contains("0000cccc [/root]"), err::toString);
    assertTrue(
        journal.entries().stream().noneMatch(e -> e.startsWith("restic forget")),
        journal.entries().toString());
  }

  @Test
  void onlyOneWayToForget() {
    assertEquals(2, run("legacy", "--forget", "--forget-all", "--yes"));
  }
}
