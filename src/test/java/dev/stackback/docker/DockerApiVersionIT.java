package dev.stackback.docker;

import static dev.stackback.docker.DockerCli.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stackback.it.TestEngine;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API version we speak, seen on the wire (through {@link TcpToUnixProxy}): negotiated with the
 * engine under test (the main 20.10 engine, and engine 28 in the engine-28 execution), or {@code
 * DOCKER_API_VERSION} when set. The expected versions are per engine, not computed.
 */
class DockerApiVersionIT {
  /** The engine's newest API version → what we must speak (docker-java 3.7.1 knows up to 1.44). */
  private static final Map<String, String> EXPECTED =
      Map.of("1.41", "1.41", "1.51", "1.44", "1.52", "1.44");

  static final String RUN = "sbit-api-" + UUID.randomUUID().toString().substring(0, 8);
  static String container;

  @BeforeAll
  static void setUp() {
    TestEngine.checkExpected();
    container =
        docker(
            "run",
            "-d",
            "--name",
            RUN,
            "--label",
            "stack-back.test.run=" + RUN,
            DockerRuntimeIT.IMAGE,
            "sh",
            "-c",
            "trap 'exit 0' TERM; sleep 3600 & wait");
  }

  @AfterAll
  static void tearDown() {
    if (container != null) {
      DockerCli.run("rm", "-f", container);
    }
  }

  @Test
  void negotiated_isMinOfEnginesNewestAndOurs_onEveryCall() throws IOException {
    String engineApi = TestEngine.serverApiVersion();
    String expected = EXPECTED.get(engineApi);
    if (expected == null) {
      fail("engine " + TestEngine.serverVersion() + " speaks API " + engineApi + ": add it here");
    }
    List<String> requests = exercise(Map.of());
    // the first request asks /version unversioned; every later one carries the chosen version
    assertTrue(requests.get(0).startsWith("GET /version "), requests.toString());
    List<String> rest = requests.subList(1, requests.size());
    assertFalse(rest.isEmpty(), requests.toString());
    for (String request : rest) {
      assertTrue(request.contains(" /v" + expected + "/"), expected + ": " + requests);
    }
  }

  @Test
  void dockerApiVersion_wins_withoutAskingTheEngine() throws IOException {
    List<String> requests = exercise(Map.of("DOCKER_API_VERSION", "1.40"));
    assertFalse(requests.isEmpty());
    for (String request : requests) {
      assertTrue(request.contains(" /v1.40/"), requests.toString());
    }
  }

  /** List, inspect and an exec through a proxy; returns the request lines the engine got. */
  private static List<String> exercise(Map<String, String> extraEnv) throws IOException {
    try (TcpToUnixProxy proxy = new TcpToUnixProxy(TestEngine.socket())) {
      Map<String, String> env = new java.util.HashMap<>(extraEnv);
      env.put("DOCKER_HOST", "tcp://127.0.0.1:" + proxy.port());
      try (DockerRuntime runtime = DockerRuntime.fromEnvironment(env)) {
        List<ContainerInfo> all = runtime.listContainers();
        assertTrue(all.stream().anyMatch(c -> c.id().equals(container)), "listed " + RUN);
        assertEquals(RUN, runtime.inspect(container).orElseThrow().label("stack-back.test.run"));
        ExecResult r =
            runtime.exec(
                ExecRequest.shell(
                    container, "echo negotiated; exit 3", null, Duration.ofSeconds(30)),
                OutputLine.discard());
        assertEquals(3, r.exitCode());
        assertEquals(List.of("negotiated"), r.tail());
      }
      return proxy.requests();
    }
  }
}
