package dev.stackback.engine;

import dev.stackback.engine.RunEngine.Outcome;
import dev.stackback.plan.ContainerRef;
import dev.stackback.plan.Plan;
import dev.stackback.plan.SwarmDiscovery;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.StartedContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stops and starts a run's targets and keeps count: every container it stopped is started again
 * ({@link #restartLeftovers}), and {@link #confirmRestarts} checks once, {@link #MIN_UPTIME} after
 * the last start, that they all stayed up, and waits (all together) until those with a Docker
 * healthcheck are healthy, bounded by {@code HEALTH_TIMEOUT}. No sleep after each start: a
 * container that dies later, turns unhealthy or stays {@code starting} is found by that one
 * confirmation (exit 4), before any post hook.
 */
final class StopStart {
  /** A restarted container must still run this long after its start (checked once, at the end). */
  static final Duration MIN_UPTIME = Duration.ofMillis(500);

  /** The tasks of a service scaled to 0 may take STOP_TIMEOUT plus this to be gone. */
  static final Duration SWARM_STOP_MARGIN = Duration.ofSeconds(30);

  private final ContainerRuntime runtime;
  private final Recorder rec;
  private final EngineSettings settings;
  private final Plan plan;
  // ids this phase tried to start: a failed start is reported once, not tried again at the end
  private final Set<String> startAttempted = new HashSet<>();
  // started containers to confirm at the end, with the step name and service of their start
  private final Map<StartedContainer, Restart> started = new LinkedHashMap<>();
  // targets whose stop failed
  private final Set<String> stopFailed = new HashSet<>();
  // SWARM_MODE: services scale to 0 instead (null without SWARM_MODE or a Swarm API)
  private final SwarmStop swarm;
  // swarm services this phase stopped (or tried to stop) and not yet back: id -> target
  private final Map<String, String> scaledDown = new LinkedHashMap<>();
  // what the stop of each of them did (missing when the stop failed half-way: labels tell then)
  private final Map<String, SwarmStop.Stopped> swarmStops = new HashMap<>();
  // swarm services this phase stopped whose volumes it backs up (a move to another node matters)
  private final Set<String> withVolumes = new HashSet<>();
  // whether a scaled-back task on another node fails the start (a backup; a restore checks that
  // itself, after its scale-back, against the node it restored on)
  private final boolean movesFail;

  StopStart(ContainerRuntime runtime, Recorder rec, EngineSettings settings, Plan plan) {
    this(runtime, rec, settings, plan, false);
  }

  /**
   * @param movesFail a replicated swarm service with volumes whose task the swarm starts again on
   *     another node fails its start step (exit 4): its volumes there are not the ones backed up
   */
  StopStart(
      ContainerRuntime runtime,
      Recorder rec,
      EngineSettings settings,
      Plan plan,
      boolean movesFail) {
    this.movesFail = movesFail;
    this.runtime = runtime;
    this.rec = rec;
    this.settings = settings;
    this.plan = plan;
    this.swarm = settings.swarmMode() ? runtime.swarm().map(SwarmStop::new).orElse(null) : null;
  }

  /** The swarm service of {@code t} when its stop is a scale to 0, else null. */
  private String swarmService(Target t) {
    return swarm == null ? null : t.service().primary().label(SwarmDiscovery.SERVICE_ID);
  }

  /** True when a stop of {@code t} failed (its snapshot must not run). */
  boolean stopFailed(Target t) {
    return stopFailed.contains(t.name());
  }

  /**
   * Stops every container of {@code t}; each is recorded as stopped before its stop call. False
   * (recorded, and the run fails) when one could not be stopped.
   */
  boolean stop(Target t, Outcome out) {
    String serviceId = swarmService(t);
    if (serviceId != null) {
      return scaleDown(t, serviceId, out);
    }
    Instant begun = rec.now();
    for (ContainerRef c : t.service().refs()) {
      try {
        // recorded before the call: a crash mid-stop must still restart it
        rec.stopped(c.id());
        runtime.stop(c.id(), settings.stopTimeout());
      } catch (RuntimeException e) {
        return failedStop(t, c.name(), begun, e, out);
      }
    }
    return stopped(t, begun, RunEngine.names(t.service().refs()));
  }

  /** Records the stop of {@code t} as done; true. */
  private boolean stopped(Target t, Instant begun, String message) {
    rec.simple("stop", "stop " + t.name(), null, t.name(), "ok", begun, message);
    return true;
  }

  /** Records a failed stop of {@code what} (of target {@code t}): the run fails; false. */
  private boolean failedStop(
      Target t, String what, Instant begun, RuntimeException e, Outcome out) {
    rec.simple("stop", "stop " + what, null, t.name(), "failed", begun, e.getMessage());
    out.fail("could not stop " + what + ": " + e.getMessage());
    stopFailed.add(t.name());
    return false;
  }

  /**
   * Stops the swarm service of {@code t} (scale to 0, or a constraint no node meets for a global
   * one; labels: what to undo and this run); its tasks are gone when this returns true. Noted
   * before the call: a failure half-way is still undone (from the labels, if they were set).
   */
  private boolean scaleDown(Target t, String serviceId, Outcome out) {
    Instant begun = rec.now();
    scaledDown.put(serviceId, t.name());
    if (!t.volumes().isEmpty()) {
      withVolumes.add(serviceId);
    }
    try {
      SwarmStop.Stopped done =
          swarm.stop(serviceId, rec.record().id(), settings.stopTimeout().plus(SWARM_STOP_MARGIN));
      swarmStops.put(serviceId, done);
      return stopped(t, begun, done.message());
    } catch (RuntimeException e) {
      return failedStop(t, t.name(), begun, e, out);
    }
  }

  /**
   * Undoes the stop of a service this phase stopped. A service someone else changed meanwhile keeps
   * their changes, and its start step fails the run (exit 1): its snapshot may have been taken
   * while it ran, and the user must see that.
   */
  private void scaleUp(String serviceId, String target, Outcome out) {
    scaledDown.remove(serviceId);
    String stepName = "start " + target;
    Instant begun = rec.now();
    try {
      SwarmStop.Stopped ours = swarmStops.remove(serviceId);
      Optional<SwarmStop.Restored> r = swarm.restore(serviceId, ours, settings.startTimeout());
      if (r.isPresent() && r.get().changedByOthers()) {
        rec.simple("start", stepName, null, target, "failed", begun, r.get().message());
        out.fail(r.get().message());
        return;
      }
      if (movesFail
          && r.isPresent()
          && !r.get().movedTo().isEmpty()
          && withVolumes.contains(serviceId)) {
        // it runs, but not with the volume it had: a restart that did not give the app back
        String moved = swarm.movedMessage(ours, r.get().movedTo());
        rec.simple("start", stepName, null, target, "failed", begun, moved);
        out.fail(moved);
        out.restartFailed = true;
        return;
      }
      rec.simple(
          "start",
          stepName,
          null,
          target,
          "ok",
          begun,
          r.map(SwarmStop.Restored::message).orElse("nothing to scale back"));
    } catch (RuntimeException e) {
      rec.simple("start", stepName, null, target, "failed", begun, e.getMessage());
      out.fail("could not scale " + target + " back: " + e.getMessage());
      out.restartFailed = true;
    }
  }

  /** Starts the containers of {@code t} that this run stopped. */
  void start(Target t, Outcome out) {
    String serviceId = swarmService(t);
    if (serviceId != null) {
      if (scaledDown.containsKey(serviceId)) {
        scaleUp(serviceId, t.name(), out);
      }
      return;
    }
    List<String> stopped = rec.stillStopped();
    for (ContainerRef c : t.service().refs()) {
      if (stopped.contains(c.id())) {
        startOne(c, t.name(), out);
      }
    }
  }

  /** Starts one container; its step is named after the service, like the stop step. */
  private void startOne(ContainerRef c, String service, Outcome out) {
    String stepName = "start " + (service != null ? service : c.name());
    startAttempted.add(c.id());
    Instant begun = rec.now();
    try {
      StartedContainer s = runtime.start(c.id(), settings.startTimeout());
      rec.started(c.id());
      started.put(s, new Restart(stepName, service, c.name()));
      rec.simple("start", stepName, null, service, "ok", begun, c.name());
    } catch (RuntimeException e) {
      rec.simple("start", stepName, null, service, "failed", begun, e.getMessage());
      out.fail("could not start " + c.name() + " again: " + e.getMessage());
      out.restartFailed = true;
    }
  }

  /** A start to confirm: its step name, service (null for a leftover) and container name. */
  private record Restart(String step, String service, String name) {}

  /** Whatever is still stopped and was never started (an exception mid-phase) is started now. */
  void restartLeftovers(Outcome out) {
    new LinkedHashMap<>(scaledDown).forEach((id, target) -> scaleUp(id, target, out));
    Deque<String> left = new ArrayDeque<>(rec.stillStopped());
    left.removeAll(startAttempted);
    for (String id : left) {
      String name =
          plan.targets().stream()
              .flatMap(t -> t.service().refs().stream())
              .filter(r -> r.id().equals(id))
              .map(ContainerRef::name)
              .findFirst()
              .orElse(id);
      startOne(new ContainerRef(id, name), null, out);
    }
  }

  /**
   * Checks once, {@link #MIN_UPTIME} after the last start, that every container this phase started
   * is still up, then awaits the health of those with a healthcheck; one that is not up (or was
   * restarted by its policy meanwhile), is unhealthy or not healthy within {@code HEALTH_TIMEOUT}
   * of its start is a failed start step and exit 4; one that is not up is also listed as stopped in
   * the record (an unhealthy one runs, so recovery has nothing to start).
   */
  void confirmRestarts(Outcome out) {
    if (started.isEmpty()) {
      return;
    }
    Instant begun = rec.now();
    List<StartedContainer.Problem> problems;
    try {
      problems =
          runtime.confirmRunning(
              List.copyOf(started.keySet()), MIN_UPTIME, settings.healthTimeout());
    } catch (RuntimeException e) {
      String names = String.join(", ", started.values().stream().map(Restart::name).toList());
      rec.simple("start", "confirm started", null, null, "failed", begun, e.getMessage());
      out.fail("could not check that " + names + " stayed up: " + e.getMessage());
      started.clear();
      return;
    }
    for (StartedContainer.Problem p : problems) {
      Restart r = started.get(p.container());
      rec.simple("start", r.step(), null, r.service(), "failed", begun, p.message());
      if (p.unhealthy()) {
        // it runs: nothing for crash recovery to start again
        out.fail(r.name() + " did not become healthy after its restart: " + p.message());
      } else {
        rec.stopped(p.container().id());
        out.fail("could not start " + r.name() + " again: " + p.message());
      }
      out.restartFailed = true;
    }
    started.clear();
  }
}
