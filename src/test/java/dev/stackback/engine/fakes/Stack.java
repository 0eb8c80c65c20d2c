package dev.stackback.engine.fakes;

import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.plan.Plan;
import dev.stackback.plan.PlanResult;
import dev.stackback.plan.Planner;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compose stack made by hand for tests: the stack-back container ({@code backup}) and services,
 * each one running container named like its service, with compose labels of project {@value
 * #PROJECT}. {@link #plan()} goes through the real {@link ConfigLoader} and {@link Planner}, so a
 * test exercises labels → plan → engine.
 */
public final class Stack {
  public static final String PROJECT = "app";
  public static final String SELF = "backup";

  private final Map<String, String> env = new LinkedHashMap<>();
  private final Container self;
  private final List<Container> services = new ArrayList<>();

  public Stack() {
    env.put("RESTIC_REPOSITORY", "/repo");
    env.put("RESTIC_PASSWORD", "secret");
    self =
        new Container(SELF)
            .image("stack-back:test")
            .bind("/srv/repo", "/repo")
            .bind("/var/run/docker.sock", "/var/run/docker.sock");
  }

  /** Sets an environment variable of stack-back (STOP_SCOPE, HOOK_TIMEOUT, ...). */
  public Stack env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** stack-back's environment as set so far. */
  public Map<String, String> env() {
    return Map.copyOf(env);
  }

  /** The stack-back container, to add labels (its hooks, ordering). */
  public Container self() {
    return self;
  }

  /** Adds a running service in our project with one container of the same name. */
  public Container service(String name) {
    Container c = new Container(name);
    services.add(c);
    return c;
  }

  /** A service added before, to change it. */
  public Container get(String name) {
    return services.stream()
        .filter(c -> c.name.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no service " + name));
  }

  public Config config() {
    ConfigLoader.Result r = ConfigLoader.load(env);
    if (r.config().isEmpty()) {
      throw new AssertionError("bad test config: " + r.problems());
    }
    return r.config().get();
  }

  public List<ContainerInfo> containers() {
    List<ContainerInfo> all = new ArrayList<>();
    all.add(self.info());
    services.forEach(s -> all.add(s.info()));
    return all;
  }

  /** The plan the real planner makes; label errors fail the test. */
  public Plan plan() {
    PlanResult r = Planner.plan(config(), self.info(), containers());
    if (r.plan().isEmpty()) {
      throw new AssertionError("bad test labels: " + r.errors());
    }
    return r.plan().get();
  }

  /** One container of the stack, built fluently. */
  public static final class Container {
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<MountInfo> mounts = new ArrayList<>();
    private String image = "busybox:test";
    private boolean running = true;

    Container(String name) {
      this.name = name;
      labels.put("com.docker.compose.project", PROJECT);
      labels.put("com.docker.compose.service", name);
    }

    /** Its id: {@code id-<name>}. */
    public String id() {
      return "id-" + name;
    }

    public Container label(String key, String value) {
      labels.put(key, value);
      return this;
    }

    public Container env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Container image(String image) {
      this.image = image;
      return this;
    }

    /** Another compose project: out of our scope. */
    public Container project(String project) {
      labels.put("com.docker.compose.project", project);
      return this;
    }

    public Container notRunning() {
      running = false;
      return this;
    }

    /** A named volume {@code <name>_<dest basename>} at {@code destination}. */
    public Container volume(String destination) {
      String base = destination.substring(destination.lastIndexOf('/') + 1);
      mounts.add(
          new MountInfo(
              MountInfo.Type.VOLUME,
              name + "_" + base,
              "/var/lib/docker/volumes/" + name + "_" + base + "/_data",
              destination,
              false));
      return this;
    }

    public Container bind(String source, String destination) {
      mounts.add(new MountInfo(MountInfo.Type.BIND, null, source, destination, false));
      return this;
    }

    /** {@code stack-back.volumes=true} and a volume at {@code /data}. */
    public Container backsUpData() {
      return label("stack-back.volumes", "true").volume("/data");
    }

    /** {@code stack-back.volumes.stop-during-backup=true}. */
    public Container stopDuringBackup() {
      return label("stack-back.volumes.stop-during-backup", "true");
    }

    /** A postgres target (pg_dumpall, its data directory mounted and skipped). */
    public Container postgres() {
      return label("stack-back.postgres", "true")
          .image("postgres:16")
          .env("POSTGRES_USER", "app")
          .volume("/var/lib/postgresql/data");
    }

    /** {@code stack-back.hooks.<stage>.<n>.cmd=<cmd>}. */
    public Container hook(String stage, int n, String cmd) {
      return label("stack-back.hooks." + stage + "." + n + ".cmd", cmd);
    }

    /** {@code stack-back.hooks.<stage>.<n>.<property>=<value>}. */
    public Container hook(String stage, int n, String property, String value) {
      return label("stack-back.hooks." + stage + "." + n + "." + property, value);
    }

    ContainerInfo info() {
      return new ContainerInfo(
          id(), name, image, labels, env, mounts, running, running ? "running" : "exited");
    }
  }
}
