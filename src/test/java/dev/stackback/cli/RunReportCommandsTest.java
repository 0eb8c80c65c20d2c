package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.FakeLocalShell;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerState;
import dev.stackback.state.RunStore;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup} with {@code PING_URL} against a real local HTTP server, and {@code runs show} of
 * the failure report a failed backup left, through picocli with the journaling fakes.
 */
class RunReportCommandsTest {
  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
  private static final String WEB_PRE = "exec web sh -c echo web-pre";

  @TempDir Path state;

  final Journal journal = new Journal();
  final Stack stack = new Stack();
  FakeContainerRuntime runtime;
  final Map<String, String> env = new HashMap<>();
  final List<String> pings = Collections.synchronizedList(new ArrayList<>());
  HttpServer server;
  int status = 200;
  StringWriter out = new StringWriter();
  StringWriter err = new StringWriter();

  RunReportCommandsTest() {
    stack.service("web").backsUpData().hook("pre", 1, "echo web-pre");
    runtime = new FakeContainerRuntime(journal, stack.containers());
  }

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          pings.add(x.getRequestMethod() + " " + x.getRequestURI() + "\n" + body);
          x.sendResponseHeaders(status, -1);
          x.close();
        });
    server.start();
    env.putAll(stack.env());
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", Stack.SELF);
    env.put("PING_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/ping/abc-123");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  int run(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    return new FakeApp(
            env,
            runtime,
            new FakeRestic(journal),
            new FakeLocalShell(journal),
            Clock.fixed(NOW, ZoneOffset.UTC))
        .execute(out, err, args);
  }

  /** The pings received: {@code POST /ping/abc-123/start}, without bodies. */
  List<String> pingLines() {
    return pings.stream().map(p -> p.substring(0, p.indexOf('\n'))).toList();
  }

  @Test
  void successfulBackup_pingsStartThenTheUrl_withTheSummary() {
    int code = run("backup");

    assertEquals(0, code, err::toString);
    assertEquals(List.of("POST /ping/abc-123/start", "POST /ping/abc-123"), pingLines());
    assertTrue(pings.get(1).contains("stack-back backup succeeded"), pings.get(1));
  }

  @Test
  void failedBackup_pingsFail_withSummaryAndFailureReport_runsShowPrintsIt() throws Exception {
    journal.on(WEB_PRE).exits(3);
    runtime.diagnosis(
        "web",
        new ContainerState(
            "id-web", "web", "exited", 3, true, 1, null, null, Map.of("API_TOKEN", "tok-secret")),
        List.of("web ready", "token is tok-secret"),
        List.of(new ContainerEvent(NOW, "die", Map.of("exitCode", "3"))));

    int code = run("backup");

    assertEquals(1, code);
    assertEquals(List.of("POST /ping/abc-123/start", "POST /ping/abc-123/fail"), pingLines());
    String body = pings.get(1);
    assertTrue(body.contains("stack-back backup failed"), body);
    assertTrue(body.contains("pre web#1"), body);
    assertTrue(body.contains("OOM killed:    yes"), body);
    assertFalse(body.contains("tok-secret"), body);

    String id = new RunStore(state).latest().orElseThrow().id();
    assertEquals(0, run("runs", "show", id), err::toString);
    String text = out.toString();
    assertTrue(text.contains("Failure report"), text);
    assertTrue(text.contains("  Step:      pre web#1 (hook, failed, exit 3)"), text);
    assertTrue(text.contains("  Container web (id-web), acted on by pre web#1"), text);
    assertTrue(text.contains("    State:         exited"), text);
    assertTrue(text.contains("    Exit code:     3"), text);
    assertTrue(text.contains("    Restart count: 1"), text);
    assertTrue(text.contains("      token is ***"), text);
    assertTrue(text.contains("      2026-12-02T10:00:00Z die (exitCode=3)"), text);

    assertEquals(0, run("runs"), err::toString);
    assertTrue(out.toString().contains(id), out::toString);

    assertEquals(0, run("runs", "show", "latest", "--json"), err::toString);
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertEquals(id, json.get("id").asText());
    JsonNode c = json.get("failure").get("containers").get(0);
    assertEquals("exited", c.get("status").asText());
    assertEquals(3, c.get("exitCode").asInt());
    assertTrue(c.get("oomKilled").asBoolean());
    assertEquals("token is ***", c.get("logTail").get(1).asText());
  }

  @Test
  void pausedScheduledRun_isNoFailure_pingsTheUrlOnly() {
    assertEquals(0, run("pause", "--reason", "moving the db"));

    int code = run("backup", "--trigger", "schedule");

    assertEquals(0, code, err::toString);
    assertEquals(List.of("POST /ping/abc-123"), pingLines());
    assertTrue(pings.get(0).contains("skipped"), pings.get(0));
    assertTrue(pings.get(0).contains("moving the db"), pings.get(0));
  }

  @Test
  void monitorAnswers500_orIsUnreachable_runOutcomeUnchanged() {
    status = 500;
    assertEquals(0, run("backup"), err::toString);
    assertEquals(2, pings.size());

    env.put("PING_URL", "http://127.0.0.1:1/ping/abc-123");
    assertEquals(0, run("backup"), err::toString);
  }

  @Test
  void invalidLabels_noRecord_pingsFailWithTheExitCode() {
    stack.get("web").label("stack-back.hooks.pre.1.timeout", "soon");
    runtime = new FakeContainerRuntime(journal, stack.containers());
    assertEquals(2, run("backup"));
    assertEquals(List.of("POST /ping/abc-123/start", "POST /ping/abc-123/fail"), pingLines());
    assertTrue(pings.get(1).contains("ended with exit code 2"), pings.get(1));
  }

  @Test
  void runsShow_unknownRun_exit1_saysSo() {
    assertEquals(1, run("runs", "show", "20261202T100000Z-dead"));
    assertTrue(err.toString().contains("no run '20261202T100000Z-dead'"), err::toString);
  }

  @Test
  void pingUrlNotHttp_invalidConfiguration() {
    env.put("PING_URL", "ftp://example/abc");
    assertEquals(2, run("backup"));
    assertTrue(err.toString().contains("PING_URL"), err::toString);
    assertEquals(List.of(), pings);
  }
}
