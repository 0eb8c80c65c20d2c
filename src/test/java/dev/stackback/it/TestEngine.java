package dev.stackback.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The Docker engine the integration tests run against: the one {@code DOCKER_HOST} names (the
 * engine-28 failsafe execution sets it to scripts/engine28.sh's socket), else the main engine at
 * {@code /var/run/docker.sock}. The test fixtures' {@code docker} CLI follows {@code DOCKER_HOST}
 * by itself; code under test gets it through {@link #env()}.
 *
 * <p>{@code STACKBACK_EXPECT_ENGINE} (set by that execution, e.g. {@code 28}) makes {@link
 * #checkExpected()} fail unless the engine really is that major version, so the engine-28 subset
 * can never pass on the main engine by mistake.
 */
public final class TestEngine {
  public static final String DEFAULT_SOCKET = "/var/run/docker.sock";

  private TestEngine() {}

  /** {@code DOCKER_HOST} of the engine under test, or unix:///var/run/docker.sock. */
  public static String dockerHost() {
    String host = System.getenv("DOCKER_HOST");
    return host == null || host.isBlank() ? "unix://" + DEFAULT_SOCKET : host.trim();
  }

  /** The environment naming the engine under test, for {@code DockerRuntime.fromEnvironment}. */
  public static Map<String, String> env() {
    return Map.of("DOCKER_HOST", dockerHost());
  }

  /** The engine's unix socket as the host sees it; fails for a tcp:// engine. */
  public static Path socket() {
    String host = dockerHost();
    assertTrue(host.startsWith("unix://"), "DOCKER_HOST=" + host + ": a unix socket is needed");
    return Path.of(host.substring("unix://".length()));
  }

  /** The engine's version, e.g. {@code 28.5.2+dfsg4} (asked with the docker CLI). */
  public static String serverVersion() {
    return field("{{.Server.Version}}");
  }

  /** The engine's newest API version, e.g. {@code 1.51}. */
  public static String serverApiVersion() {
    return field("{{.Server.APIVersion}}");
  }

  private static String field(String format) {
    DockerFixture.Result r =
        DockerFixture.command(
            List.of("docker", "-H", dockerHost(), "version", "-f", format), Map.of());
    assertEquals(0, r.exit(), "docker version at " + dockerHost() + ": " + r.output());
    return r.output().strip();
  }

  /**
   * Fails unless the engine is the major version {@code STACKBACK_EXPECT_ENGINE} names (when set);
   * returns the engine's version.
   */
  public static String checkExpected() {
    String version = serverVersion();
    String expected = System.getenv("STACKBACK_EXPECT_ENGINE");
    if (expected != null && !expected.isBlank()) {
      assertTrue(
          version.startsWith(expected.trim() + "."),
          "STACKBACK_EXPECT_ENGINE="
              + expected
              + " but the engine at "
              + dockerHost()
              + " is "
              + version);
    }
    return version;
  }
}
