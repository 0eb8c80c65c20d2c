package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The message a repaired run is closed with counts what recovery really started. */
class RecoveryMessageTest {
  @TempDir Path dir;

  private RunRecord repair(Stack stack, Journal journal, List<String> stopped) {
    RunStore store = new RunStore(dir);
    store.save(
        new RunRecord(
            "20260301-020000-abcd",
            "schedule",
            RunRecord.RUNNING,
            Long.MAX_VALUE, // no such process: the run is dead
            "app",
            Instant.parse("2026-03-01T02:00:00Z"),
            null,
            null,
            stopped,
            List.of(),
            null));
    FakeContainerRuntime runtime = new FakeContainerRuntime(journal, stack.containers());
    EngineSettings settings =
        new EngineSettings(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            Map.of(),
            new dev.stackback.port.KeepPolicy(1, 1, 1, 1),
            true,
            Duration.ofSeconds(1),
            Duration.ZERO);
    List<RunRecord> closed =
        new Recovery(runtime, store, settings, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
            .repair("h");
    assertEquals(1, closed.size());
    return closed.get(0);
  }

  @Test
  void noneStarted_saysStarted0Of1() {
    Stack stack = new Stack();
    stack.service("web").notRunning();
    Journal journal = new Journal();
    journal.on("start web").throwing(new IllegalStateException("no such image"));
    RunRecord r = repair(stack, journal, List.of("id-web"));
    assertEquals(
        "stack-back stopped mid-run (killed or restarted); repaired: started 0 of 1 container(s)"
            + " again; could not start web",
        r.error());
    assertEquals(4, r.exitCode());
  }

  @Test
  void someStarted_countsOnlyThose() {
    Stack stack = new Stack();
    stack.service("web").notRunning();
    stack.service("db").notRunning();
    Journal journal = new Journal();
    journal.on("start db").throwing(new IllegalStateException("port is taken"));
    RunRecord r = repair(stack, journal, List.of("id-web", "id-db"));
    assertEquals(
        "stack-back stopped mid-run (killed or restarted); repaired: started 1 of 2 container(s)"
            + " again; could not start db",
        r.error());
  }

  @Test
  void endedRunThatLeftContainersStopped_theyAreStartedAgain_recordKeepsItsOutcome() {
    Stack stack = new Stack();
    stack.service("web").notRunning();
    stack.service("db").notRunning();
    Journal journal = new Journal();
    journal.on("start db").throwing(new IllegalStateException("engine gone"));
    RunStore store = new RunStore(dir);
    RunRecord ended =
        new RunRecord(
                "20260301-020000-abcd",
                "schedule",
                RunRecord.RUNNING,
                Long.MAX_VALUE,
                "app",
                Instant.parse("2026-03-01T02:00:00Z"),
                null,
                null,
                List.of("id-web", "id-db"),
                List.of(),
                null)
            .ended(RunRecord.FAILED, Instant.parse("2026-03-01T02:01:00Z"), 4, "start failed");
    store.save(ended);
    FakeContainerRuntime runtime = new FakeContainerRuntime(journal, stack.containers());
    EngineSettings settings =
        new EngineSettings(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            Map.of(),
            new dev.stackback.port.KeepPolicy(1, 1, 1, 1),
            true,
            Duration.ofSeconds(1),
            Duration.ZERO);

    List<RunRecord> closed =
        new Recovery(runtime, store, settings, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC))
            .repair("h");

    assertEquals(List.of(), closed, "it was closed (and notified) already");
    assertTrue(journal.entries().contains("start web"), journal.entries()::toString);
    RunRecord r = store.latest().orElseThrow();
    assertEquals(RunRecord.FAILED, r.state());
    assertEquals(4, r.exitCode());
    assertEquals("start failed", r.error());
    assertEquals(List.of("id-db"), r.stopped(), "the next run tries db again");
    assertEquals(
        List.of("start web:ok", "start db:failed"),
        r.steps().stream().map(st -> st.name() + ":" + st.outcome()).toList());
  }
}
