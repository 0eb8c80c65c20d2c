package dev.stackback.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Request signatures between coordinator and agents. */
class AgentAuthTest {
  private static final String TOKEN = "0123456789abcdef-shared";
  private static final Instant NOW = Instant.parse("2026-12-02T18:00:00Z");
  private static final byte[] BODY = "{\"id\":\"c1\"}".getBytes(StandardCharsets.UTF_8);

  private static AgentAuth at(String token, Instant now) {
    return new AgentAuth(token, Clock.fixed(now, ZoneOffset.UTC));
  }

  private static Optional<String> verify(
      AgentAuth agent, Map<String, String> h, String path, byte[] body) {
    return agent.verify(
        "POST",
        path,
        h.get(AgentAuth.TIMESTAMP),
        h.get(AgentAuth.NONCE),
        h.get(AgentAuth.SIGNATURE),
        body);
  }

  @Test
  void signedRequest_isAccepted_once() {
    AgentAuth agent = at(TOKEN, NOW);
    Map<String, String> h = at(TOKEN, NOW).sign("POST", "/v1/exec", BODY);
    assertEquals(Optional.empty(), verify(agent, h, "/v1/exec", BODY));
    assertEquals(Optional.of("replayed request"), verify(agent, h, "/v1/exec", BODY));
  }

  @Test
  void otherToken_otherBody_otherPath_otherMethod_areRefused() {
    AgentAuth agent = at(TOKEN, NOW);
    Map<String, String> wrong = at("another-token-0123456", NOW).sign("POST", "/v1/exec", BODY);
    assertEquals(Optional.of("bad signature"), verify(agent, wrong, "/v1/exec", BODY));
    Map<String, String> h = at(TOKEN, NOW).sign("POST", "/v1/exec", BODY);
    byte[] changed = "{\"id\":\"c2\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals(Optional.of("bad signature"), verify(agent, h, "/v1/exec", changed));
    assertEquals(Optional.of("bad signature"), verify(agent, h, "/v1/worker/start", BODY));
    assertEquals(
        Optional.of("bad signature"),
        agent.verify(
            "GET",
            "/v1/exec",
            h.get(AgentAuth.TIMESTAMP),
            h.get(AgentAuth.NONCE),
            h.get(AgentAuth.SIGNATURE),
            BODY));
    // none of them used up the nonce: the genuine request still passes
    assertEquals(Optional.empty(), verify(agent, h, "/v1/exec", BODY));
  }

  @Test
  void clockSkewOver60s_isRefused_within60sAccepted() {
    Map<String, String> h = at(TOKEN, NOW).sign("POST", "/v1/ping", BODY);
    assertEquals(Optional.empty(), verify(at(TOKEN, NOW.plusSeconds(60)), h, "/v1/ping", BODY));
    assertEquals(
        Optional.of("timestamp too far from the agent's clock (more than 60 s)"),
        verify(at(TOKEN, NOW.plusSeconds(61)), h, "/v1/ping", BODY));
    assertEquals(
        Optional.of("timestamp too far from the agent's clock (more than 60 s)"),
        verify(at(TOKEN, NOW.minusSeconds(61)), h, "/v1/ping", BODY));
  }

  @Test
  void missingOrMalformedHeaders_areRefused() {
    AgentAuth agent = at(TOKEN, NOW);
    assertEquals(
        Optional.of("unsigned request"), agent.verify("POST", "/v1/ping", null, null, null, BODY));
    Map<String, String> h = at(TOKEN, NOW).sign("POST", "/v1/ping", BODY);
    assertEquals(
        Optional.of("bad signature"),
        agent.verify(
            "POST", "/v1/ping", h.get(AgentAuth.TIMESTAMP), h.get(AgentAuth.NONCE), "zz", BODY));
    assertEquals(
        Optional.of("bad timestamp"),
        agent.verify(
            "POST", "/v1/ping", "soon", h.get(AgentAuth.NONCE), h.get(AgentAuth.SIGNATURE), BODY));
    assertThrows(IllegalArgumentException.class, () -> at(" ", NOW));
  }
}
