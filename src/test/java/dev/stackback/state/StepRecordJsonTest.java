package dev.stackback.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepRecordJsonTest {
  @Test
  void bytesAdded_roundTripsThroughJson() throws Exception {
    StepRecord s =
        new StepRecord(
            "snapshot",
            "snapshot web",
            null,
            "web",
            "ok",
            Instant.EPOCH,
            5,
            0,
            1,
            "m",
            List.of("a"),
            4096L);

    String json = RunStore.json().writeValueAsString(s);
    StepRecord back = RunStore.json().readValue(json, StepRecord.class);

    assertEquals(s, back);
    assertEquals(4096L, back.bytesAdded());
  }

  @Test
  void recordWithoutBytesAdded_readsAsNull() throws Exception {
    String old =
        "{\"kind\":\"hook\",\"name\":\"pre web#1\",\"outcome\":\"ok\",\"durationMs\":3,"
            + "\"attempts\":1,\"tail\":[]}";

    StepRecord back = RunStore.json().readValue(old, StepRecord.class);

    assertEquals("pre web#1", back.name());
    assertNull(back.bytesAdded());
  }
}
