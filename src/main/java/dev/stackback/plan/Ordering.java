package dev.stackback.plan;

import dev.stackback.label.ContainerLabels;
import dev.stackback.label.LabelKeys;
import dev.stackback.label.Problem;
import dev.stackback.port.ContainerInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies {@code stack-back.ordered} / {@code stack-back.order.<N>}: listed services first in
 * ascending N, the rest in default order (service name). Unknown, out-of-scope and duplicate
 * entries are warnings. A listed service with hooks only keeps its place among the hook-only
 * services; targets always come first.
 */
final class Ordering {
  private Ordering() {}

  record Result(List<Target> targets, List<Service> hookOnly, List<Problem> warnings) {}

  static Result apply(
      String selfName,
      ContainerLabels self,
      List<Target> targets,
      List<Service> hookOnly,
      List<Service> services,
      List<ContainerInfo> all,
      Scope scope) {
    if (!self.ordered()) {
      return new Result(targets, hookOnly, List.of());
    }
    List<Problem> warnings = new ArrayList<>();
    List<Target> orderedTargets = new ArrayList<>();
    List<Service> orderedHookOnly = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<Integer, String> e : self.order().entrySet()) {
      String name = e.getValue();
      String key = LabelKeys.key(LabelKeys.ORDER + e.getKey());
      if (!seen.add(name)) {
        warnings.add(warn(selfName, key, "duplicate entry '" + name + "' ignored"));
        continue;
      }
      List<Target> t = targets.stream().filter(x -> x.name().equals(name)).toList();
      List<Service> h = hookOnly.stream().filter(x -> x.name().equals(name)).toList();
      orderedTargets.addAll(t);
      orderedHookOnly.addAll(h);
      if (t.isEmpty() && h.isEmpty()) {
        warnings.add(warn(selfName, key, whyUnknown(name, services, all, scope)));
      }
    }
    targets.stream().filter(t -> !seen.contains(t.name())).forEach(orderedTargets::add);
    hookOnly.stream().filter(s -> !seen.contains(s.name())).forEach(orderedHookOnly::add);
    return new Result(orderedTargets, orderedHookOnly, warnings);
  }

  private static String whyUnknown(
      String name, List<Service> services, List<ContainerInfo> all, Scope scope) {
    if (services.stream().anyMatch(s -> s.name().equals(name))) {
      return "'" + name + "' has nothing to back up and no hooks; entry ignored";
    }
    return scope
        .whyOutOfScope(name, all)
        .map(why -> "'" + name + "' is out of scope (" + why + "); entry ignored")
        .orElse("unknown service '" + name + "'; entry ignored");
  }

  private static Problem warn(String selfName, String key, String message) {
    return Problem.label(selfName, key, message);
  }
}
