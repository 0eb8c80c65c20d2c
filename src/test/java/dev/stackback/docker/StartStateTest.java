package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.junit.jupiter.api.Test;

/**
 * Starting and confirming read the same fields from the engine's JSON as a tree as from
 * docker-java's model (used over TLS).
 */
class StartStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper DOCKER_JAVA =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final String UNHEALTHY =
      """
      {"Id":"8a1c","Name":"/sbexp_db_1","RestartCount":2,"Image":"sha256:b0b0",
       "State":{"Status":"running","Running":true,"Paused":false,"Restarting":false,
                "ExitCode":0,"StartedAt":"2026-12-03T07:20:01.123456789Z",
                "FinishedAt":"2026-12-03T07:20:00.5Z",
                "Health":{"Status":"unhealthy","FailingStreak":3,"Log":[
                  {"Start":"2026-12-03T07:20:02Z","End":"2026-12-03T07:20:02.1Z","ExitCode":0,
                   "Output":"ok"},
                  {"Start":"2026-12-03T07:20:03Z","End":"2026-12-03T07:20:03.1Z","ExitCode":1,
                   "Output":"pg_isready: no response\\n"}]}},
       "Config":{"Image":"postgres:16"}}
      """;

  private static final String EXITED =
      """
      {"Id":"9b2d","Name":"/gone",
       "State":{"Status":"exited","Running":false,"Restarting":false,"ExitCode":137,
                "StartedAt":"2026-12-03T07:20:01Z","FinishedAt":"2026-12-03T07:20:01.2Z"}}
      """;

  private static final String RESTARTING =
      """
      {"Id":"7c3e","Name":"","RestartCount":5,
       "State":{"Status":"restarting","Running":true,"Restarting":true,"ExitCode":1,
                "StartedAt":"2026-12-03T07:20:01Z","FinishedAt":"2026-12-03T07:20:02Z",
                "Health":{"Status":"starting","Log":[]}}}
      """;

  private static StartState tree(String json) throws Exception {
    return StartState.of(JSON.readTree(json));
  }

  private static StartState model(String json) throws Exception {
    return StartState.of(DOCKER_JAVA.readValue(json, InspectContainerResponse.class));
  }

  @Test
  void bothRoads_readTheSameState() throws Exception {
    for (String json : new String[] {UNHEALTHY, EXITED, RESTARTING}) {
      assertEquals(model(json), tree(json), json);
    }
  }

  @Test
  void theFieldsAreTheEngines() throws Exception {
    StartState db = tree(UNHEALTHY);
    assertEquals("sbexp_db_1", db.name());
    assertEquals(2, db.restartCount());
    assertEquals(true, db.running());
    assertEquals("2026-12-03T07:20:01.123456789Z", db.startedAt());
    assertEquals(
        new StartState.Health("unhealthy", true, 1L, "pg_isready: no response\n"), db.health());

    StartState gone = tree(EXITED);
    assertEquals(false, gone.running());
    assertEquals(137L, gone.exitCode());
    assertNull(gone.health());

    StartState looping = tree(RESTARTING);
    assertEquals("7c3e", looping.name(), "no name: the id");
    assertEquals(false, looping.running(), "restarting is not running");
    assertEquals(new StartState.Health("starting", false, null, null), looping.health());
  }
}
