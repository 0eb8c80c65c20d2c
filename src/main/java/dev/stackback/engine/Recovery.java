package dev.stackback.engine;

import dev.stackback.plan.SwarmDiscovery;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.StartedContainer;
import dev.stackback.port.SwarmRuntime;
import dev.stackback.port.SwarmService;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import dev.stackback.state.StepRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs what a killed run left behind (stack-back killed, host rebooted): containers it had
 * stopped are started again, orphan worker containers removed, and its record closed as failed.
 * Call it only while holding the {@link dev.stackback.state.RunLock} and the engine-wide lock of
 * the host: then every record still {@code running} belongs to a dead process, and so does every
 * worker of the host. It runs before the containers are listed and planned, so a container a crash
 * left stopped is running again, and backed up, in the same run.
 */
public final class Recovery {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.recovery");

  private final ContainerRuntime runtime;
  private final RunStore store;
  private final Clock clock;
  private final EngineSettings settings;

  public Recovery(ContainerRuntime runtime, RunStore store, EngineSettings settings, Clock clock) {
    this.runtime = runtime;
    this.store = store;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Repairs every interrupted run; returns the records it closed. Worker containers of {@code host}
   * are removed first (their restic gets SIGINT and releases its repository lock): the caller holds
   * the engine-wide lock of {@code host} too, so no live run of this host owns them.
   */
  public List<RunRecord> repair(String host) {
    removeOrphanWorkers(host);
    List<RunRecord> records = store.recent(Integer.MAX_VALUE);
    Map<String, List<StepRecord>> scaled = scaleBackSwarmServices(records);
    List<RunRecord> closed = new ArrayList<>();
    for (RunRecord r : records) {
      List<StepRecord> steps = scaled.getOrDefault(r.id(), List.of());
      RunRecord withSteps = r;
      for (StepRecord step : steps) {
        withSteps = withSteps.withStep(step);
      }
      if (RunRecord.RUNNING.equals(r.state())) {
        closed.add(repair(withSteps));
      } else if (!r.stopped().isEmpty()) {
        startLeftStopped(withSteps);
      } else if (!steps.isEmpty()) {
        store.save(withSteps);
      }
    }
    return closed;
  }

  /**
   * SWARM_MODE: services that a run of ours scaled to 0 (its id in their {@code
   * stack-back.stopped-by-run} label) and that were never scaled back (the run was killed, or its
   * scale-up failed) are scaled back to the count in their label. Our run lock is held, so none of
   * those runs is alive. A label naming a run this state directory does not know is left alone
   * (another stack-back's, maybe alive) with a warning.
   *
   * @return per run id, a step for each service it had left at 0
   */
  private Map<String, List<StepRecord>> scaleBackSwarmServices(List<RunRecord> records) {
    Map<String, List<StepRecord>> steps = new HashMap<>();
    if (!settings.swarmMode() || runtime.swarm().isEmpty()) {
      return steps;
    }
    SwarmRuntime swarm = runtime.swarm().get();
    if (swarm.localNode().map(n -> !n.manager()).orElse(true)) {
      return steps; // only a manager sees services; the planner refuses such a node anyway
    }
    Set<String> ours = new HashSet<>();
    records.forEach(r -> ours.add(r.id()));
    SwarmStop stop = new SwarmStop(swarm);
    for (SwarmService s : swarm.services()) {
      String run = s.labels().get(SwarmDiscovery.RUN_LABEL);
      if (run == null) {
        continue;
      }
      if (!ours.contains(run)) {
        LOG.warn(
            "service {} was scaled to 0 by run {}, which is not one of ours; left alone",
            s.name(),
            run);
        continue;
      }
      Instant t = clock.instant();
      try {
        Optional<SwarmStop.Restored> r = stop.restore(s.id(), null, settings.startTimeout());
        String message = r.map(SwarmStop.Restored::message).orElse("nothing to scale back");
        LOG.warn("service {} was left stopped by run {}: {}", s.name(), run, message);
        steps
            .computeIfAbsent(run, k -> new ArrayList<>())
            .add(step("start " + s.name(), "ok", t, message + " (by recovery)"));
      } catch (RuntimeException e) {
        LOG.error("could not scale service {} back: {}", s.name(), e.getMessage());
        steps
            .computeIfAbsent(run, k -> new ArrayList<>())
            .add(step("start " + s.name(), "failed", t, e.getMessage()));
      }
    }
    return steps;
  }

  /**
   * A run that ended but could not start what it had stopped (the engine died mid-run, a start
   * failed) keeps those containers in its record: start them again now, before planning, so they
   * are running and backed up in this run. Its state and exit code stay; the record gets a step per
   * container, and lists only those that still could not be started (the next run tries again).
   */
  private void startLeftStopped(RunRecord r) {
    LOG.warn(
        "run {} ended leaving {} container(s) stopped; starting them again",
        r.id(),
        r.stopped().size());
    RunRecord rec = r;
    List<String> failedNames = new ArrayList<>();
    List<String> stillStopped = new ArrayList<>();
    List<StartedContainer> started = new ArrayList<>();
    for (String id : r.stopped()) {
      Instant t = clock.instant();
      Optional<ContainerInfo> c = runtime.inspect(id);
      String name = c.map(ContainerInfo::name).orElse(id);
      try {
        if (c.isPresent() && !c.get().running()) {
          started.add(runtime.start(id, settings.startTimeout()));
        }
        rec = rec.withStep(step("start " + name, "ok", t, "started again by recovery"));
      } catch (RuntimeException e) {
        failedNames.add(name);
        stillStopped.add(id);
        rec = rec.withStep(step("start " + name, "failed", t, e.getMessage()));
      }
    }
    rec = confirm(started, failedNames, rec);
    store.save(rec.withStopped(stillStopped));
    if (!failedNames.isEmpty()) {
      LOG.error("could not start {} again (the next run tries again)", failedNames);
    }
  }

  private RunRecord repair(RunRecord r) {
    LOG.warn("run {} was interrupted (stack-back stopped mid-run); repairing it", r.id());
    RunRecord rec = r;
    List<String> failed = new ArrayList<>();
    List<StartedContainer> started = new ArrayList<>();
    for (String id : r.stopped()) {
      Instant t = clock.instant();
      Optional<ContainerInfo> c = runtime.inspect(id);
      String name = c.map(ContainerInfo::name).orElse(id);
      try {
        if (c.isPresent() && !c.get().running()) {
          started.add(runtime.start(id, settings.startTimeout()));
        }
        rec = rec.withStep(step("start " + name, "ok", t, "started again by recovery"));
      } catch (RuntimeException e) {
        failed.add(name);
        rec = rec.withStep(step("start " + name, "failed", t, e.getMessage()));
      }
    }
    // like a run: a container that dies right after its start is not started again
    rec = confirm(started, failed, rec);
    String why =
        "stack-back stopped mid-run (killed or restarted); repaired: "
            + (r.stopped().isEmpty()
                ? "no container was stopped"
                : "started "
                    + (r.stopped().size() - failed.size())
                    + " of "
                    + r.stopped().size()
                    + " container(s) again")
            + (failed.isEmpty() ? "" : "; could not start " + String.join(", ", failed));
    RunRecord done =
        rec.withStopped(List.of())
            .ended(RunRecord.FAILED, clock.instant(), failed.isEmpty() ? 1 : 4, why);
    store.save(done);
    LOG.warn("run {} closed as failed: {}", r.id(), why);
    return done;
  }

  /**
   * Removes the workers of this host's runs; other stacks' workers on the same engine are left
   * alone. The caller holds the engine-wide lock of {@code host}. SWARM_MODE calls it once more
   * after discovery, when the runtime reaches the other nodes' agents (a coordinator killed mid-run
   * leaves its workers there).
   */
  public void removeOrphanWorkers(String host) {
    for (ContainerInfo w : runtime.listWorkers()) {
      if (!host.equals(w.label(BackupPhase.WORKER_HOST_LABEL))) {
        continue;
      }
      LOG.warn("removing orphan worker container {}", w.name());
      try {
        runtime.remove(w.id());
      } catch (RuntimeException e) {
        LOG.error("cannot remove orphan worker {}: {}", w.name(), e.getMessage());
      }
    }
  }

  /** One check that the containers recovery started stayed up; each that did not is a failure. */
  private RunRecord confirm(List<StartedContainer> started, List<String> failed, RunRecord rec) {
    if (started.isEmpty()) {
      return rec;
    }
    Instant t = clock.instant();
    try {
      for (StartedContainer.Problem p : runtime.confirmRunning(started, StopStart.MIN_UPTIME)) {
        failed.add(p.container().name());
        rec = rec.withStep(step("start " + p.container().name(), "failed", t, p.message()));
      }
    } catch (RuntimeException e) {
      LOG.warn("could not confirm that restarted containers stayed up: {}", e.getMessage());
    }
    return rec;
  }

  private StepRecord step(String name, String outcome, Instant t, String message) {
    return new StepRecord(
        "start",
        name,
        null,
        null,
        outcome,
        t,
        java.time.Duration.between(t, clock.instant()).toMillis(),
        null,
        1,
        message,
        List.of());
  }
}
