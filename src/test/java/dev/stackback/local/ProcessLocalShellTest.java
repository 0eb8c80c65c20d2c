package dev.stackback.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessLocalShellTest {
  private final ProcessLocalShell shell = new ProcessLocalShell();

  @Test
  void exitCodeAndOrderedLines() {
    List<String> seen = new CopyOnWriteArrayList<>();
    ExecResult r =
        shell.run(
            "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 7",
            Map.of(),
            Duration.ofSeconds(10),
            (s, l) -> seen.add(s + ":" + l));
    assertEquals(7, r.exitCode());
    assertFalse(r.timedOut());
    assertEquals(List.of("STDOUT:one", "STDERR:two", "STDOUT:three"), seen);
    assertEquals(List.of("one", "two", "three"), r.tail());
  }

  @Test
  void linesArriveWhileTheScriptRuns() {
    long[] firstLineAt = new long[1];
    long start = System.nanoTime();
    shell.run(
        "echo early; sleep 1; echo late",
        Map.of(),
        Duration.ofSeconds(10),
        (s, l) -> {
          if (l.equals("early")) {
            firstLineAt[0] = System.nanoTime() - start;
          }
        });
    assertTrue(firstLineAt[0] > 0 && firstLineAt[0] < 900_000_000L, "early line came late");
  }

  @Test
  void binaryOutputWithoutNewline_isOneBoundedLine() {
    List<String> seen = new CopyOnWriteArrayList<>();
    ExecResult r =
        shell.run(
            "head -c 5000000 /dev/zero; echo; echo after",
            Map.of(),
            Duration.ofSeconds(30),
            (s, l) -> seen.add(l));
    assertEquals(0, r.exitCode());
    assertEquals(2, seen.size());
    assertEquals(
        "\uFFFD".repeat(dev.stackback.util.LineSplitter.MAX_LINE_BYTES)
            + "… "
            + (5_000_000 - dev.stackback.util.LineSplitter.MAX_LINE_BYTES)
            + " bytes omitted",
        seen.get(0));
    assertEquals(List.of(seen.get(0), "after"), r.tail());
  }

  @Test
  void extraEnvIsMergedOverOurs() {
    List<String> seen = new CopyOnWriteArrayList<>();
    ExecResult r =
        shell.run(
            "echo \"$HOOK_VAR|${PATH:+has-path}\"",
            Map.of("HOOK_VAR", "hello world"),
            Duration.ofSeconds(10),
            (s, l) -> seen.add(l));
    assertTrue(r.succeeded());
    assertEquals(List.of("hello world|has-path"), seen);
  }

  @Test
  void timeoutKillsShellAndItsChildrenQuickly(@TempDir Path dir) throws Exception {
    Path pidFile = dir.resolve("child.pid");
    long start = System.nanoTime();
    ExecResult r =
        shell.run(
            "sleep 300 & echo $! > '" + pidFile + "'; wait",
            Map.of(),
            Duration.ofMillis(500),
            (s, l) -> {});
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(r.timedOut());
    assertEquals(-1, r.exitCode());
    assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "took " + took);
    long childPid = Long.parseLong(Files.readString(pidFile).trim());
    assertFalse(
        ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false),
        "sleep 300 still runs");
  }

  @Test
  void tailKeepsTheLast50Lines() {
    ExecResult r =
        shell.run(
            "i=1; while [ $i -le 120 ]; do echo line$i; i=$((i+1)); done",
            Map.of(),
            Duration.ofSeconds(10),
            null);
    assertEquals(50, r.tail().size());
    assertEquals("line71", r.tail().get(0));
    assertEquals("line120", r.tail().get(49));
    assertEquals(Stream.STDOUT, Stream.valueOf("STDOUT"));
  }
}
