package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.docker.DockerRuntime;
import dev.stackback.local.ProcessLocalShell;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import dev.stackback.restic.ResticCli;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The real adapters: Docker over docker-java, restic over zt-exec, local {@code sh}. */
public final class RealApp implements App {
  private static final List<String> DOCKER_VARIABLES =
      List.of("DOCKER_API_VERSION", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH");

  private final Map<String, String> env;

  /** The real adapters, configured from {@code env} (the process environment in production). */
  public RealApp(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public Map<String, String> env() {
    return env;
  }

  @Override
  public ContainerRuntime runtime(Config config) {
    Map<String, String> env = new HashMap<>();
    // the Docker client's own variables; nothing else from the environment reaches docker-java
    for (String name : DOCKER_VARIABLES) {
      String value = this.env.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    config.dockerHost().ifPresent(h -> env.put("DOCKER_HOST", h));
    return DockerRuntime.fromEnvironment(env);
  }

  @Override
  public Restic restic(Config config) {
    return new ResticCli(
        "restic",
        config.resticEnv(),
        config.backupTimeout(),
        config.checkWithCache(),
        config.stateDir());
  }

  @Override
  public LocalShell shell() {
    return new ProcessLocalShell();
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }
}
