package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.state.Pause;
import dev.stackback.state.PauseFile;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pause as scheduled runs and {@code status} see it: while {@code STATE_DIR/pause.json} holds a
 * pause that has not ended, a scheduled backup is recorded as {@code skipped} and does nothing else
 * (no hooks, no locks, no restic), and scheduled maintenance does not start. A manual run is never
 * skipped. An unreadable pause file is logged and is no pause: backups stopping silently is the
 * worse failure.
 */
final class ScheduledPause {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.pause");

  private ScheduledPause() {}

  /** The pause that holds at {@code now}, if any; an unreadable file is logged. */
  static Optional<Pause> active(Config config, Instant now) {
    PauseFile.State st = new PauseFile(config.stateDir()).state(now);
    if (st instanceof PauseFile.Unreadable u) {
      LOG.warn("not paused: the pause file is unreadable: {}", u.message());
    }
    return st instanceof PauseFile.Active a ? Optional.of(a.pause()) : Optional.empty();
  }

  /**
   * For a run of {@code trigger} at {@code now}: when it is scheduled and a pause holds, its {@code
   * skipped} record (saved in {@code STATE_DIR}); else empty, and the run goes on.
   */
  static Optional<RunRecord> skip(Config config, String trigger, Instant now) {
    if (!"schedule".equals(trigger)) {
      return Optional.empty();
    }
    Optional<Pause> p = active(config, now);
    if (p.isEmpty()) {
      return Optional.empty();
    }
    RunRecord r =
        RunRecord.skipped(
            trigger, config.backupHost().orElse(null), now, "paused " + p.get().describe());
    new RunStore(config.stateDir()).save(r);
    LOG.info("scheduled backup skipped: {} (run {})", r.reason(), r.id());
    return Optional.of(r);
  }

  /**
   * The pause for {@code status}: {@code paused} true or false, the pause's fields when there is a
   * file ({@code ended} true when its end has passed), {@code error} for an unreadable file.
   */
  static Map<String, Object> model(PauseFile.State st) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("paused", st instanceof PauseFile.Active);
    switch (st) {
      case PauseFile.Active a -> m.putAll(a.pause().fields());
      case PauseFile.Ended e -> {
        m.putAll(e.pause().fields());
        m.put("ended", true);
      }
      case PauseFile.Unreadable u -> m.put("error", u.message());
      case PauseFile.None n -> {}
    }
    return m;
  }

  /** The model as one line for people. */
  static String text(Map<String, Object> m) {
    if (Boolean.TRUE.equals(m.get("paused"))) {
      return "yes, scheduled runs are skipped "
          + (m.get("until") == null ? "until resumed" : "until " + m.get("until"))
          + (m.get("reason") == null ? "" : " (" + m.get("reason") + ")")
          + "; since "
          + m.get("since")
          + (m.get("by") == null ? "" : " by " + m.get("by"));
    }
    if (Boolean.TRUE.equals(m.get("ended"))) {
      return "no (the pause"
          + (m.get("reason") == null ? "" : " '" + m.get("reason") + "'")
          + " ended at "
          + m.get("until")
          + ")";
    }
    if (m.get("error") != null) {
      return "no (pause file unreadable: " + m.get("error") + ")";
    }
    return "no";
  }
}
