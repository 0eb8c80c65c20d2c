package dev.stackback.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.MountInfo;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent API over a real loopback connection: the client's calls arrive at the agent's node
 * engine (a fake) and come back with their output; unsigned or wrongly signed requests are 401 and
 * nothing runs.
 */
class AgentServerTest {
  private static final String TOKEN = "test-token-0123456789";

  private final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, ContainerInfo> containers = new ConcurrentHashMap<>();
  private final FakeNode node = new FakeNode("node2", journal, containers);
  private final AgentServer server =
      AgentServer.start(
          new InetSocketAddress("127.0.0.1", 0),
          node.runtime(),
          new AgentAuth(TOKEN, Clock.systemUTC()),
          "agent-own-id");

  @AfterEach
  void stop() {
    server.close();
  }

  private AgentClient client(String token) {
    return new AgentClient(
        "node2",
        new InetSocketAddress("127.0.0.1", server.port()),
        new AgentAuth(token, Clock.systemUTC()));
  }

  @Test
  void exec_streamsLinesBack_withTheExitCode() {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    ExecResult r =
        client(TOKEN)
            .exec(
                ExecRequest.shell("app1", "echo pre; exit 3", null, Duration.ofSeconds(5)),
                (stream, line) -> lines.add(stream + " " + line));
    assertEquals(3, r.exitCode());
    assertEquals(
        List.of("STDOUT out:sh -c echo pre; exit 3", "STDERR err:sh -c echo pre; exit 3"), lines);
    assertEquals(List.of("node2 exec app1 sh -c echo pre; exit 3"), journal);
  }

  @Test
  void execStreaming_copiesRawStdout() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecResult r =
        client(TOKEN)
            .execStreaming(
                new ExecRequest(
                    "db1", List.of("pg_dumpall"), null, Map.of(), Duration.ofSeconds(5)),
                out,
                OutputLine.discard());
    assertEquals(0, r.exitCode());
    assertEquals("bytes:pg_dumpall", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void inspect_returnsTheContainer_orEmpty() {
    ContainerInfo app =
        new ContainerInfo(
            "app1",
            "st_app.1.x",
            "busybox",
            Map.of("stack-back.volumes", "true"),
            Map.of("A", "b"),
            List.of(
                new MountInfo(
                    MountInfo.Type.VOLUME,
                    "st_data",
                    "/var/lib/docker/volumes/st_data/_data",
                    "/data",
                    false)),
            true,
            "running",
            "sha256:abc");
    containers.put("app1", app);
    assertEquals(app, client(TOKEN).inspect("app1").orElseThrow());
    assertTrue(client(TOKEN).inspect("gone").isEmpty());
  }

  @Test
  void startWorker_joinsTheAgentsNetworks_andRemoveOnlyRemovesWorkers() {
    WorkerSpec spec =
        WorkerSpec.idle(
                "sha256:img",
                Map.of("RESTIC_REPOSITORY", "/repo"),
                List.of(
                    new WorkerSpec.WorkerMount(
                        MountInfo.Type.VOLUME, "st_data", "/volumes/app/data", true)),
                Map.of(ContainerRuntime.WORKER_NODE_LABEL, "n2"),
                Duration.ofSeconds(30))
            .withNetworksOf("coordinator-id");
    assertEquals("node2-worker", client(TOKEN).startWorker(spec));
    assertEquals(spec.withNetworksOf("agent-own-id"), node.workers.get(0));
    client(TOKEN).startWorker(spec.withoutNetwork());
    assertEquals(spec.withoutNetwork(), node.workers.get(1), "no network stays no network");
    containers.put("node2-worker", FakeNode.container("node2-worker", true));
    containers.put("app1", FakeNode.container("app1", false));
    client(TOKEN).remove("node2-worker");
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> client(TOKEN).remove("app1"));
    assertTrue(e.getMessage().contains("not a stack-back worker"), e.getMessage());
    assertEquals(
        1, journal.stream().filter(l -> l.startsWith("node2 remove")).count(), journal.toString());
  }

  @Test
  void localRepositoryPathMissingOnTheNode_isAnError_andTheWorkerIsRemoved() {
    WorkerSpec spec =
        WorkerSpec.idle(
            "sha256:img",
            Map.of("RESTIC_REPOSITORY", "/missing/repo"),
            List.of(),
            Map.of(),
            Duration.ofSeconds(30));
    ContainerRuntimeException e =
        assertThrows(ContainerRuntimeException.class, () -> client(TOKEN).startWorker(spec));
    assertTrue(e.getMessage().startsWith("cannot start a worker on node node2"), e.getMessage());
    assertTrue(
        e.getMessage().contains("the repository must be reachable from every node"),
        e.getMessage());
    assertEquals(
        List.of(
            "node2 startWorker ",
            "node2 exec node2-worker test -f /missing/repo/config",
            "node2 remove node2-worker"),
        journal);
  }

  @Test
  void interruptedCall_closesTheConnection_andTheAgentInterruptsTheCommand() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Exception> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    client(TOKEN)
                        .exec(
                            ExecRequest.shell("app1", "block", null, Duration.ofSeconds(90)),
                            OutputLine.discard());
                  } catch (RuntimeException e) {
                    failure.set(e);
                  }
                });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!journal.contains("node2 exec app1 sh -c block") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    caller.interrupt();
    caller.join(10_000);
    assertTrue(failure.get().getMessage().endsWith(": interrupted"), failure.get().getMessage());
    // the agent notices at its next heartbeat
    while (!journal.contains("node2 interrupted app1") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(journal.contains("node2 interrupted app1"), journal.toString());
  }

  @Test
  void wrongToken_is401_andNothingRuns() {
    ContainerRuntimeException e =
        assertThrows(
            ContainerRuntimeException.class,
            () ->
                client("another-token-987654321")
                    .exec(
                        ExecRequest.shell("app1", "touch /x", null, Duration.ofSeconds(5)),
                        OutputLine.discard()));
    assertTrue(e.getMessage().contains("on node node2"), e.getMessage());
    assertTrue(e.getMessage().contains("401"), e.getMessage());
    assertTrue(e.getMessage().contains("AGENT_TOKEN"), e.getMessage());
    assertEquals(List.of(), journal);
  }

  @Test
  void unsignedRequest_is401_andNothingRuns() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/exec"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"request\":{\"containerId\":\"app1\",\"command\":[\"id\"],\"timeout\":5}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertEquals(List.of(), journal);
  }

  @Test
  void silentAgent_failsTheCall_namingTheNode() throws IOException {
    try (ServerSocket dead = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread accept =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (Socket s = dead.accept()) {
                      s.getInputStream().readAllBytes(); // reads, never answers
                    } catch (IOException e) {
                      // the client closed it
                    }
                  });
      AgentClient c =
          new AgentClient(
              "node3",
              new InetSocketAddress("127.0.0.1", dead.getLocalPort()),
              new AgentAuth(TOKEN, Clock.systemUTC()),
              Duration.ofSeconds(2));
      ContainerRuntimeException e =
          assertThrows(
              ContainerRuntimeException.class,
              () ->
                  c.exec(
                      ExecRequest.shell("app1", "sleep 60", null, Duration.ofSeconds(90)),
                      OutputLine.discard()));
      assertTrue(e.getMessage().contains("on node node3"), e.getMessage());
      assertTrue(e.getMessage().contains("sent nothing for 2 s"), e.getMessage());
      accept.interrupt();
    }
  }

  @Test
  void unreachableAgent_failsTheCall_namingTheNode() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    AgentClient c =
        new AgentClient(
            "node3",
            new InetSocketAddress("127.0.0.1", port),
            new AgentAuth(TOKEN, Clock.systemUTC()));
    ContainerRuntimeException e = assertThrows(ContainerRuntimeException.class, c::ping);
    assertTrue(e.getMessage().startsWith("cannot reach on node node3"), e.getMessage());
    assertTrue(e.getMessage().contains("(the agent or its node is down?)"), e.getMessage());
    // a moment later the same agent is not waited for again
    ContainerRuntimeException again =
        assertThrows(ContainerRuntimeException.class, () -> c.inspect("app1"));
    assertTrue(again.getMessage().contains("cannot connect"), again.getMessage());
  }
}
