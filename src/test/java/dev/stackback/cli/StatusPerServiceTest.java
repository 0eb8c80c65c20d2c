package dev.stackback.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stackback.port.Snapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code status --json}'s {@code repository.services}: snapshots per service tag. */
class StatusPerServiceTest {
  private static Snapshot snap(String id, String time, String... tags) {
    return new Snapshot(id, id, Instant.parse(time), "h", List.of("/x"), List.of(tags));
  }

  @Test
  void countsAndLatestPerServiceTag_untaggedLeftOut() {
    Map<String, Object> m =
        StatusCommand.perService(
            List.of(
                snap("a", "2026-11-01T02:00:00Z", "stack-back", "service=web"),
                snap("b", "2026-11-03T02:00:00Z", "stack-back", "service=web", "run=r2"),
                snap("c", "2026-11-02T02:00:00Z", "stack-back", "service=web"),
                snap("d", "2026-11-02T02:00:00Z", "stack-back", "service=db"),
                snap("e", "2026-11-04T02:00:00Z", "stack-back")));
    assertEquals(
        Map.of(
            "db", Map.of("count", 1, "latest", "2026-11-02T02:00:00Z"),
            "web", Map.of("count", 3, "latest", "2026-11-03T02:00:00Z")),
        m);
    assertEquals(List.of("db", "web"), List.copyOf(m.keySet()));
  }
}
