package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.label.ContainerLabels;
import dev.stackback.label.HookSpec;
import dev.stackback.label.HookSpec.Stage;
import dev.stackback.label.LabelKeys;
import dev.stackback.label.LabelParser;
import dev.stackback.label.ParsedLabels;
import dev.stackback.label.Problem;
import dev.stackback.port.ContainerInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the whole {@link Plan} from the configuration and the containers the engine reports. Pure
 * and deterministic: the same input gives the same plan, so {@code status}, {@code backup
 * --dry-run} and the engine agree.
 */
public final class Planner {
  private final Config config;
  private final ContainerInfo selfContainer;
  private final List<ContainerInfo> all;
  private final Scope scope;
  private final List<Problem> errors = new ArrayList<>();
  private final List<Problem> warnings = new ArrayList<>();

  private Planner(
      Config config, ContainerInfo self, List<ContainerInfo> all, List<Problem> warnings) {
    this.warnings.addAll(warnings);
    this.config = config;
    this.selfContainer = self;
    this.all = List.copyOf(all);
    this.scope = new Scope(config, self);
  }

  /** Plans a run for stack-back container {@code self} among {@code all} containers. */
  public static PlanResult plan(Config config, ContainerInfo self, List<ContainerInfo> all) {
    return plan(config, self, all, List.of());
  }

  /**
   * As {@link #plan(Config, ContainerInfo, List)}, with {@code warnings} found before (SWARM_MODE
   * discovery) first among the plan's warnings.
   */
  public static PlanResult plan(
      Config config, ContainerInfo self, List<ContainerInfo> all, List<Problem> warnings) {
    return new Planner(config, self, all, warnings).plan();
  }

  private PlanResult plan() {
    String project = scope.projectOf(selfContainer);
    Service self =
        new Service(
            project, scope.serviceOf(selfContainer), List.of(selfContainer), parse(selfContainer));
    List<Service> services = services();
    warnSkippedLabelled();
    List<Target> targets = new ArrayList<>();
    List<Service> hookOnly = new ArrayList<>();
    TargetBuilder builder = new TargetBuilder(config, warnings);
    for (Service s : services) {
      Optional<Target> t = builder.build(s);
      if (t.isPresent()) {
        targets.add(t.get());
      } else if (!s.labels().hooks().isEmpty()) {
        hookOnly.add(s);
      }
    }
    checkPathCollisions(targets);
    boolean ordered = self.labels().ordered();
    Ordering.Result order =
        Ordering.apply(
            selfContainer.name(), self.labels(), targets, hookOnly, services, all, scope);
    warnings.addAll(order.warnings());
    Map<Stage, List<HookStep>> hooks = hooks(self, order.targets(), order.hookOnly(), services);
    String host = host(config, project);
    if (!errors.isEmpty()) {
      return new PlanResult(Optional.empty(), errors, warnings);
    }
    Plan plan =
        new Plan(
            project,
            host,
            self,
            order.targets(),
            order.hookOnly(),
            hooks,
            ordered,
            config.stopScope(),
            warnings);
    return new PlanResult(Optional.of(plan), List.of(), warnings);
  }

  /** restic {@code --host}: BACKUP_HOST, else the project, else {@code stack-back}. */
  public static String host(Config config, String project) {
    return config.backupHost().orElse(project.isEmpty() ? "stack-back" : project);
  }

  private ContainerLabels parse(ContainerInfo c) {
    ParsedLabels parsed = LabelParser.parse(c.name(), c.labels());
    errors.addAll(parsed.errors());
    warnings.addAll(parsed.warnings());
    return parsed.labels();
  }

  private List<Service> services() {
    List<Service> services = new ArrayList<>();
    scope
        .services(all)
        .forEach(
            (key, containers) -> {
              ContainerInfo primary = containers.get(0);
              services.add(
                  new Service(
                      scope.projectOf(primary),
                      scope.serviceOf(primary),
                      containers,
                      parse(primary)));
            });
    return services;
  }

  /** A labelled container that is in our project but stopped is worth a warning. */
  private void warnSkippedLabelled() {
    for (ContainerInfo c : all) {
      boolean ours = c.labels().keySet().stream().anyMatch(k -> k.startsWith(LabelKeys.PREFIX));
      if (ours && !c.running() && !scope.isExcluded(c) && scope.inProject(c)) {
        warnings.add(
            Problem.label(
                c.name(), LabelKeys.PREFIX + "*", "skipped: the container is not running"));
      }
    }
  }

  private void checkPathCollisions(List<Target> targets) {
    Map<String, Target> owner = new HashMap<>();
    for (Target t : targets) {
      List<String> paths = new ArrayList<>();
      t.volumes().forEach(v -> paths.add(v.snapshotPath()));
      t.dump().ifPresent(d -> paths.add(d.snapshotPath()));
      for (String p : paths) {
        Target other = owner.putIfAbsent(p, t);
        if (other != null && other != t) {
          errors.add(
              new Problem(
                  "services '"
                      + other.service().qualifiedName()
                      + "' and '"
                      + t.service().qualifiedName()
                      + "'",
                  "snapshot path '" + p + "'",
                  "both would be backed up to the same path; set INCLUDE_PROJECT_NAME=true"));
        }
      }
    }
  }

  // --- hooks ---

  private Map<Stage, List<HookStep>> hooks(
      Service self, List<Target> targets, List<Service> hookOnly, List<Service> services) {
    List<Service> participants = new ArrayList<>();
    targets.forEach(t -> participants.add(t.service()));
    participants.addAll(hookOnly);
    Map<Stage, List<HookStep>> out = new EnumMap<>(Stage.class);
    for (Stage stage : Stage.values()) {
      List<HookStep> steps = new ArrayList<>();
      List<HookStep> own = selfHooks(self, stage, services);
      if (stage == Stage.PRE) {
        steps.addAll(own);
      }
      for (Service s : participants) {
        for (HookSpec h : s.labels().hooks(stage)) {
          steps.add(step(h, s, false, resolve(h, s, self, services)));
        }
      }
      if (stage != Stage.PRE) {
        steps.addAll(own);
      }
      out.put(stage, steps);
    }
    return out;
  }

  private List<HookStep> selfHooks(Service self, Stage stage, List<Service> services) {
    List<HookStep> steps = new ArrayList<>();
    for (HookSpec h : self.labels().hooks(stage)) {
      HookStep.HookTarget where =
          h.context() == null ? new HookStep.HookTarget.Local() : resolve(h, self, self, services);
      steps.add(step(h, self, true, where));
    }
    return steps;
  }

  private HookStep step(HookSpec h, Service from, boolean fromSelf, HookStep.HookTarget where) {
    return new HookStep(
        h, from.name(), fromSelf, where, h.timeout() != null ? h.timeout() : config.hookTimeout());
  }

  private HookStep.HookTarget resolve(
      HookSpec h, Service declaring, Service self, List<Service> services) {
    if (h.context() == null) {
      return inContainer(declaring);
    }
    // a context in the declaring container's own project wins over a same-named service elsewhere
    Service target =
        services.stream()
            .filter(s -> s.name().equals(h.context()) && s.project().equals(declaring.project()))
            .findFirst()
            .or(() -> services.stream().filter(s -> s.name().equals(h.context())).findFirst())
            .orElse(null);
    if (target == null && h.context().equals(self.name())) {
      target = self;
    }
    if (target == null) {
      String why =
          scope.whyOutOfScope(h.context(), all).orElse("no container has that service name");
      warnings.add(
          Problem.label(
              declaring.primary().name(),
              h.labelPrefix() + "." + LabelKeys.HOOK_CONTEXT,
              "no running container in scope for service '"
                  + h.context()
                  + "' ("
                  + why
                  + "); the hook will fail"));
      return new HookStep.HookTarget.Unresolved(h.context());
    }
    return inContainer(target);
  }

  private static HookStep.HookTarget inContainer(Service s) {
    ContainerInfo c = s.primary();
    return new HookStep.HookTarget.InContainer(s.name(), new ContainerRef(c.id(), c.name()));
  }
}
