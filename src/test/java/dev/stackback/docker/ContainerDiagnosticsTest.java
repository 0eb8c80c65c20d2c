package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Engine events as a failure report shows them: our exec wrapper and the labels left out. */
class ContainerDiagnosticsTest {
  @Test
  void execEvent_showsTheHookCommandWithoutOurPidWrapper_andOnlyTellingAttributes() {
    Event e =
        new Event()
            .withAction(
                "exec_start: sh -c echo \"$0 $$\" >&2; exec \"$@\""
                    + " stack-back-exec-pid-7f1da760-d89e-43cf-9896-bcd8edb05213"
                    + " sh -c pg_isready -U app")
            .withTimenano(1_764_684_000_123_456_789L)
            .withEventActor(
                new EventActor()
                    .withAttributes(
                        Map.of(
                            "execID", "fd94e4",
                            "com.docker.compose.service", "db",
                            "image", "postgres:16")));

    assertEquals(
        "2025-12-02T14:00:00.123456789Z exec_start: sh -c pg_isready -U app",
        ContainerDiagnostics.toEvent(e).toString());
  }

  @Test
  void dieEvent_keepsExitCode_secondsWhenNoNanos() {
    Event e =
        new Event()
            .withAction("die")
            .withTime(1_764_684_000L)
            .withEventActor(
                new EventActor().withAttributes(Map.of("exitCode", "137", "name", "db")));

    assertEquals(
        "2025-12-02T14:00:00Z die (exitCode=137)", ContainerDiagnostics.toEvent(e).toString());
  }

  @Test
  void timestamp_secondsDotNanos() {
    assertEquals(
        "1764684000.000000042",
        ContainerDiagnostics.timestamp(Instant.ofEpochSecond(1_764_684_000L, 42)));
  }
}
