package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The gate's stdin side and its command; the worker side runs for real in SnapshotGateIT. */
class SnapshotGateTest {

  private static String readAll(SnapshotGate gate) throws Exception {
    return new String(gate.readAllBytes(), StandardCharsets.US_ASCII);
  }

  @Test
  void readBlocksUntilDecided_thenGivesTheAnswerAndEndOfFile() throws Exception {
    SnapshotGate gate = new SnapshotGate();
    CompletableFuture<String> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return readAll(gate);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThrows(TimeoutException.class, () -> read.get(200, TimeUnit.MILLISECONDS));
    gate.open();
    assertEquals("go\n", read.get(5, TimeUnit.SECONDS));
    assertEquals(-1, gate.read());
    assertTrue(gate.opened());
  }

  @Test
  void theFirstDecisionWins() throws Exception {
    SnapshotGate aborted = new SnapshotGate();
    aborted.abort();
    aborted.open();
    assertEquals("abort\n", readAll(aborted));
    assertFalse(aborted.opened());

    SnapshotGate opened = new SnapshotGate();
    opened.open();
    opened.abort();
    assertEquals("go\n", readAll(opened));
  }

  @Test
  void anInterruptedReaderAborts() throws Exception {
    SnapshotGate gate = new SnapshotGate();
    Thread.currentThread().interrupt();
    try {
      assertEquals("abort\n", readAll(gate));
      assertTrue(Thread.interrupted(), "the interrupt is kept");
    } finally {
      Thread.interrupted();
    }
    assertFalse(gate.opened());
  }

  @Test
  void command_wrapsResticInTheScript_withTheFifoAsOneMoreExcludeFile() {
    List<String> restic =
        List.of("restic", "backup", "--json", "--host", "h", "--", "/volumes/web/data");
    assertEquals(
        List.of(
            "sh",
            "-c",
            SnapshotGate.SCRIPT,
            "stack-back-gate",
            "/tmp/g",
            "restic",
            "backup",
            "--exclude-file=/tmp/g",
            "--json",
            "--host",
            "h",
            "--",
            "/volumes/web/data"),
        SnapshotGate.command(restic, "/tmp/g"));
    assertThrows(
        IllegalArgumentException.class,
        () -> SnapshotGate.command(List.of("restic", "restore", "x"), "/tmp/g"));
  }
}
