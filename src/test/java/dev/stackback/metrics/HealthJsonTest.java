package dev.stackback.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.state.RunStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthJsonTest {

  @Test
  void writesWhatJacksonWrites() throws Exception {
    Map<String, Object> last = new LinkedHashMap<>();
    last.put("id", "20250301T020000Z-ab12");
    last.put("state", "failed \"quoted\" \\ back\nslash\u0002 ünï");
    last.put("startedAt", "2025-03-01T02:00:00Z");
    last.put("endedAt", null);
    last.put("exitCode", 4);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "ok");
    body.put("lastRun", last);
    body.put("up", true);
    String jackson =
        RunStore.json()
            .writer()
            .withoutFeatures(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(body);
    assertEquals(jackson, MetricsServer.json(body));
  }
}
