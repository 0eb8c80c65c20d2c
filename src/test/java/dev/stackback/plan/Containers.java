package dev.stackback.plan;

import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.label.Problem;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made {@link ContainerInfo}s and configs for planner tests. */
final class Containers {
  private Containers() {}

  /** A running compose container {@code <project>-<service>-1} with the compose labels. */
  static Builder svc(String project, String service) {
    return new Builder(project + "-" + service + "-1")
        .label("com.docker.compose.project", project)
        .label("com.docker.compose.service", service);
  }

  /** A running container outside compose. */
  static Builder plain(String name) {
    return new Builder(name);
  }

  /** The stack-back container: project {@code app}, service {@code backup}. */
  static Builder self() {
    return svc("app", "backup").image("ghcr.io/example/stack-back:1.0");
  }

  /** A config from the environment {@code kv} plus a repository and a password. */
  static Config config(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "/restic_data");
    env.put("RESTIC_PASSWORD", "pw");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    ConfigLoader.Result r = ConfigLoader.load(env, p -> "");
    if (!r.problems().isEmpty()) {
      throw new AssertionError(r.problems().toString());
    }
    return r.config().orElseThrow();
  }

  /** Plans with {@code self} among {@code self + others}. */
  static PlanResult plan(Config config, ContainerInfo self, ContainerInfo... others) {
    List<ContainerInfo> all = new ArrayList<>();
    all.add(self);
    all.addAll(List.of(others));
    return Planner.plan(config, self, all);
  }

  /** A plan that must have no errors. */
  static Plan ok(Config config, ContainerInfo self, ContainerInfo... others) {
    PlanResult r = plan(config, self, others);
    if (!r.errors().isEmpty()) {
      throw new AssertionError("unexpected errors: " + r.errors());
    }
    return r.plan().orElseThrow();
  }

  static List<String> strings(List<Problem> problems) {
    return problems.stream().map(Problem::toString).toList();
  }

  static List<String> targetNames(Plan p) {
    return p.targets().stream().map(t -> t.service().qualifiedName()).toList();
  }

  static List<String> snapshotPaths(Target t) {
    return t.volumes().stream().map(VolumeSnapshot::snapshotPath).toList();
  }

  static final class Builder {
    private String id;
    private final String name;
    private String image = "busybox:1.36";
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<MountInfo> mounts = new ArrayList<>();
    private boolean running = true;

    Builder(String name) {
      this.name = name;
      this.id = "id-" + name;
    }

    Builder id(String id) {
      this.id = id;
      return this;
    }

    Builder image(String image) {
      this.image = image;
      return this;
    }

    Builder label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    /** {@code stack-back.<suffix>=value} */
    Builder sb(String suffix, String value) {
      return label("stack-back." + suffix, value);
    }

    Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    Builder volume(String volumeName, String destination) {
      mounts.add(
          new MountInfo(
              MountInfo.Type.VOLUME,
              volumeName,
              "/var/lib/docker/volumes/" + volumeName + "/_data",
              destination,
              false));
      return this;
    }

    Builder bind(String source, String destination) {
      mounts.add(new MountInfo(MountInfo.Type.BIND, null, source, destination, false));
      return this;
    }

    Builder tmpfs(String destination) {
      mounts.add(new MountInfo(MountInfo.Type.TMPFS, null, "", destination, false));
      return this;
    }

    Builder stopped() {
      running = false;
      return this;
    }

    ContainerInfo build() {
      return new ContainerInfo(
          id, name, image, labels, env, mounts, running, running ? "running" : "exited");
    }
  }
}
