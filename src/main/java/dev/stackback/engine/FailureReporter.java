package dev.stackback.engine;

import dev.stackback.config.Redaction;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.plan.ContainerRef;
import dev.stackback.plan.HookStep;
import dev.stackback.plan.Plan;
import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerState;
import dev.stackback.state.DecisiveStep;
import dev.stackback.state.FailureReport;
import dev.stackback.state.FailureReport.ContainerReport;
import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import dev.stackback.util.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the {@link FailureReport} of a run that went wrong: its deciding step and, for a step that
 * acted on containers (a hook exec, a stop or start, a dump, the check that restarted containers
 * stayed up; and any failed restart besides), each container's state, last log lines (secrets
 * hidden) and the engine's events about it since the run started. Best effort and bounded: it never
 * throws, and gives up on the engine after {@link #BUDGET}, keeping what it had.
 */
final class FailureReporter {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.run");

  /** Log lines per container. */
  static final int LOG_LINES = 20;

  /** Containers per report at most (a service with many replicas). */
  static final int MAX_CONTAINERS = 4;

  /** The whole report's bound; each engine call gets at most {@link #CALL_TIMEOUT}. */
  static final Duration BUDGET = Duration.ofSeconds(20);

  static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private static final List<String> CONTAINER_KINDS = List.of("hook", "stop", "start", "dump");

  private final ContainerRuntime runtime;
  private final Clock clock;
  private final Duration budget;

  FailureReporter(ContainerRuntime runtime, Clock clock) {
    this(runtime, clock, BUDGET);
  }

  FailureReporter(ContainerRuntime runtime, Clock clock, Duration budget) {
    this.runtime = runtime;
    this.clock = clock;
    this.budget = budget;
  }

  /** The report of an ended run that went wrong, or empty for one that did not. Never throws. */
  Optional<FailureReport> report(Plan plan, RunRecord r) {
    try {
      Optional<StepRecord> decisive = DecisiveStep.of(r);
      if (decisive.isEmpty()) {
        return Optional.empty();
      }
      StepRecord s = decisive.get();
      List<String> notes = new ArrayList<>();
      List<ContainerReport> containers = gather(plan, r, s, notes);
      List<String> noted;
      synchronized (notes) {
        noted = List.copyOf(notes);
      }
      return Optional.of(
          new FailureReport(
              s.name(),
              s.kind(),
              s.service(),
              s.outcome(),
              s.exitCode(),
              s.message(),
              s.tail().subList(Math.max(0, s.tail().size() - LOG_LINES), s.tail().size()),
              containers,
              noted));
    } catch (RuntimeException e) {
      LOG.warn("cannot build the failure report of run {}: {}", r.id(), e.toString());
      return Optional.empty();
    }
  }

  /** The containers to look at: those of the deciding step, then those of any failed restart. */
  static Map<ContainerRef, String> containersOf(Plan plan, RunRecord r, StepRecord decisive) {
    Map<ContainerRef, String> out = new LinkedHashMap<>();
    Stream.concat(
            Stream.of(decisive),
            r.steps().stream().filter(s -> s != decisive && s.failed() && isStart(s)))
        .forEach(s -> containers(plan, s).forEach(c -> out.putIfAbsent(c, s.name())));
    return out;
  }

  private static boolean isStart(StepRecord s) {
    return "start".equals(s.kind());
  }

  /** The containers a step acted on, as far as its plan, name and message tell. */
  static List<ContainerRef> containers(Plan plan, StepRecord s) {
    if (!CONTAINER_KINDS.contains(s.kind())) {
      return List.of();
    }
    if ("hook".equals(s.kind())) {
      return hookContainer(plan, s).stream().toList();
    }
    List<ContainerRef> candidates =
        plan.targets().stream()
            .map(t -> t.service())
            .filter(svc -> s.service() == null || svc.name().equals(s.service()))
            .flatMap(svc -> svc.refs().stream())
            .toList();
    List<ContainerRef> named = candidates.stream().filter(c -> names(s, c)).toList();
    return !named.isEmpty() || s.service() == null ? named : candidates;
  }

  /** Whether the step's name or message names the container. */
  private static boolean names(StepRecord s, ContainerRef c) {
    String message = s.message() == null ? "" : s.message();
    return s.name().endsWith(" " + c.name())
        || message.contains("'" + c.name() + "'")
        || message.equals(c.name());
  }

  private static Optional<ContainerRef> hookContainer(Plan plan, StepRecord s) {
    if (s.stage() == null) {
      return Optional.empty();
    }
    Stage stage;
    try {
      stage = Stage.valueOf(s.stage().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return plan.hooks(stage).stream()
        .filter(h -> HookRunner.name(h).equals(s.name()))
        .map(HookStep::where)
        .flatMap(
            w ->
                w instanceof HookStep.HookTarget.InContainer c
                    ? Stream.of(c.container())
                    : Stream.empty())
        .findFirst();
  }

  private List<ContainerReport> gather(
      Plan plan, RunRecord r, StepRecord decisive, List<String> notes) {
    Map<ContainerRef, String> wanted = containersOf(plan, r, decisive);
    if (wanted.size() > MAX_CONTAINERS) {
      note(
          notes,
          wanted.size()
              + " containers were involved; the report covers the first "
              + MAX_CONTAINERS);
    }
    if (wanted.isEmpty()) {
      return List.of();
    }
    long t0 = System.nanoTime();
    Instant since = r.startedAt() == null ? clock.instant() : r.startedAt();
    List<Map.Entry<ContainerRef, String>> some =
        wanted.entrySet().stream().limit(MAX_CONTAINERS).toList();
    // the worker's findings; once the budget is spent (cut) nothing more is taken from it
    List<ContainerReport> found = new ArrayList<>();
    List<String> foundNotes = new ArrayList<>();
    boolean[] cut = {false};
    // one thread for all engine calls: the run waits at most the budget, whatever the engine does
    var pool =
        Executors.newSingleThreadExecutor(
            t -> {
              Thread th = new Thread(t, "stack-back-failure-report");
              th.setDaemon(true);
              return th;
            });
    try {
      Future<?> work =
          pool.submit(
              () -> {
                for (Map.Entry<ContainerRef, String> e : some) {
                  List<String> mine = new ArrayList<>();
                  ContainerReport c = describe(e.getKey(), e.getValue(), since, mine);
                  synchronized (found) {
                    if (cut[0]) {
                      return;
                    }
                    found.add(c);
                    foundNotes.addAll(mine);
                  }
                }
              });
      try {
        work.get(budget.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        note(
            notes, "the engine did not answer within " + Durations.format(budget) + "; report cut");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        note(notes, "interrupted while gathering the report");
      } catch (ExecutionException e) {
        note(notes, "gathering the report failed: " + e.getCause());
      } finally {
        synchronized (found) {
          cut[0] = true; // before the interrupt: the worker's answers from now on are not taken
        }
        work.cancel(true);
      }
    } finally {
      pool.shutdownNow();
    }
    synchronized (found) {
      foundNotes.forEach(n -> note(notes, n));
      LOG.info(
          "failure report of run {}: {} container(s) looked at in {} ms",
          r.id(),
          found.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return List.copyOf(found);
    }
  }

  /** One container; each part that cannot be had is a note, never an exception. */
  private ContainerReport describe(ContainerRef c, String step, Instant since, List<String> notes) {
    Optional<ContainerState> state = Optional.empty();
    boolean gone = false;
    try {
      state = runtime.state(c.id());
      gone = state.isEmpty();
    } catch (RuntimeException e) {
      note(notes, "state of " + c.name() + ": " + why(e));
    }
    Map<String, String> env = state.map(ContainerState::env).orElse(Map.of());
    List<String> logs = List.of();
    if (!gone) {
      try {
        logs =
            runtime.logTail(c.id(), LOG_LINES, CALL_TIMEOUT).stream()
                .map(l -> Redaction.text(l, env))
                .toList();
      } catch (RuntimeException e) {
        note(notes, "log of " + c.name() + ": " + why(e));
      }
    }
    List<ContainerEvent> seen = List.of();
    try {
      seen = runtime.events(c.id(), since, clock.instant(), CALL_TIMEOUT);
    } catch (RuntimeException e) {
      note(notes, "events of " + c.name() + ": " + why(e));
    }
    List<String> events =
        seen.stream().map(ContainerEvent::toString).map(l -> Redaction.text(l, env)).toList();
    return new ContainerReport(
        step,
        c.id(),
        c.name(),
        gone ? "gone" : state.map(ContainerState::status).orElse(null),
        state.map(ContainerState::exitCode).orElse(null),
        state.map(ContainerState::oomKilled).orElse(false) || oomEnded(state, seen),
        state.map(ContainerState::restartCount).orElse(0),
        state.map(ContainerState::health).orElse(null),
        state.map(ContainerState::error).map(e -> Redaction.text(e, Map.of())).orElse(null),
        logs,
        events);
  }

  /**
   * Whether the OOM killer ended the container although the engine's flag says no: it exited with
   * 137 (SIGKILL) and the engine reported an {@code oom} for it during the run. Docker 20.10 leaves
   * {@code OOMKilled} false when that event comes after the {@code die}.
   */
  static boolean oomEnded(Optional<ContainerState> state, List<ContainerEvent> events) {
    return state
            .map(s -> "exited".equals(s.status()) && Integer.valueOf(137).equals(s.exitCode()))
            .orElse(false)
        && events.stream().anyMatch(e -> "oom".equals(e.action()));
  }

  private static void note(List<String> notes, String note) {
    synchronized (notes) {
      notes.add(note);
    }
  }

  private static String why(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
