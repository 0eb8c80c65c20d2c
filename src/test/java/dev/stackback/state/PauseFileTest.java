package dev.stackback.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PauseFileTest {
  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  @TempDir Path state;

  @Test
  void writeThenRead_sameBack_evenWithQuotesAndNewlines() {
    PauseFile f = new PauseFile(state);
    Pause p =
        new Pause(T0, T0.plus(Duration.ofHours(2)), "db \"migration\"\nstep 2 \\ ü", "root@x");

    f.write(p);

    assertEquals(Optional.of(p), f.read());
    assertEquals(state.resolve("pause.json"), f.path());
  }

  @Test
  void write_isAtomic_noTempFileLeft_andReplacesThePausBefore() throws Exception {
    PauseFile f = new PauseFile(state);
    f.write(new Pause(T0, null, "first", "a"));
    Pause second = new Pause(T0.plusSeconds(5), T0.plusSeconds(60), "second", "b");

    f.write(second);

    assertEquals(Optional.of(second), f.read());
    try (Stream<Path> files = Files.list(state)) {
      assertEquals(List.of("pause.json"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void state_activeUntilItsEnd_thenEnded_notPaused() {
    PauseFile f = new PauseFile(state);
    Pause p = new Pause(T0, T0.plusSeconds(3600), null, "a");
    f.write(p);

    assertEquals(new PauseFile.Active(p), f.state(T0.plusSeconds(3599)));
    assertTrue(f.paused(T0.plusSeconds(3599)));
    assertEquals(new PauseFile.Ended(p), f.state(T0.plusSeconds(3600)));
    assertFalse(f.paused(T0.plusSeconds(3600)));
  }

  @Test
  void state_withoutEnd_activeForever() {
    PauseFile f = new PauseFile(state);
    f.write(new Pause(T0, null, "", "a"));

    assertTrue(f.paused(T0.plus(Duration.ofDays(3650))));
    assertEquals(null, f.read().orElseThrow().reason(), "a blank reason is no reason");
  }

  @Test
  void noFile_none_andRemoveSaysSo() {
    PauseFile f = new PauseFile(state.resolve("not-yet"));

    assertEquals(new PauseFile.None(), f.state(T0));
    assertFalse(f.remove());
  }

  @Test
  void remove_endsThePause() {
    PauseFile f = new PauseFile(state);
    f.write(new Pause(T0, null, null, "a"));

    assertTrue(f.remove());
    assertEquals(new PauseFile.None(), f.state(T0));
  }

  @Test
  void badFiles_areUnreadable_notAPause() throws Exception {
    PauseFile f = new PauseFile(state);
    for (String bad :
        List.of(
            "",
            "{\"since\": \"2026-12-02T10:00:00Z\"",
            "[]",
            "{\"until\": \"2026-12-02T10:00:00Z\"}",
            "{\"since\": \"yesterday\"}",
            "{\"since\": 5}",
            "{\"since\": \"2026-12-02T10:00:00Z\", \"reason\": 7}",
            "{\"since\": \"2026-12-02T10:00:00Z\", \"until\": \"2026-12-02T09:00:00Z\"}")) {
      Files.writeString(f.path(), bad);

      PauseFile.State st = f.state(T0);

      assertInstanceOf(PauseFile.Unreadable.class, st, bad);
      assertTrue(((PauseFile.Unreadable) st).message().contains("pause.json"), st.toString());
      assertFalse(f.paused(T0), bad);
      assertThrows(IllegalArgumentException.class, f::read, bad);
    }
  }

  @Test
  void pause_endsAfterItStarts() {
    assertThrows(IllegalArgumentException.class, () -> new Pause(T0, T0, null, "a"));
    assertThrows(IllegalArgumentException.class, () -> new Pause(null, null, null, "a"));
  }
}
