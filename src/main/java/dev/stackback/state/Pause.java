package dev.stackback.state;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pause of scheduled runs ({@code stack-back pause}), as kept in {@code STATE_DIR/pause.json}.
 *
 * @param since when it was set
 * @param until when it ends by itself, or null: until {@code resume}
 * @param reason why, as given with {@code --reason}, or null
 * @param by who set it ({@code user@host})
 */
public record Pause(Instant since, Instant until, String reason, String by) {
  public Pause {
    if (since == null) {
      throw new IllegalArgumentException("a pause has a start ('since')");
    }
    if (until != null && !until.isAfter(since)) {
      throw new IllegalArgumentException("a pause ends ('until') after it starts ('since')");
    }
    reason = reason == null || reason.isBlank() ? null : reason.strip();
  }

  /** Whether it still holds at {@code now}: no end, or an end after {@code now}. */
  public boolean activeAt(Instant now) {
    return until == null || now.isBefore(until);
  }

  /** Its fields by name, in a fixed order, ISO times (for JSON and {@code status}). */
  public Map<String, Object> fields() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("since", since.toString());
    m.put("until", until == null ? null : until.toString());
    m.put("reason", reason);
    m.put("by", by);
    return m;
  }

  /** {@code until 2026-12-03T02:00:00Z (reason)} or {@code until resumed}, for people. */
  public String describe() {
    return (until == null ? "until resumed" : "until " + until)
        + (reason == null ? "" : " (" + reason + ")");
  }
}
