package dev.stackback.history;

import dev.stackback.state.RunRecord;
import dev.stackback.state.StepRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which recorded runs count as history: ended backup runs that succeeded. Failed, incomplete,
 * interrupted and skipped runs, and runs that were no backup (an in-place restore, a restore
 * drill), say nothing about how long a backup usually takes or how much it reads.
 */
public final class RunHistory {
  /** Triggers of runs that are no backups. */
  static final Set<String> NOT_BACKUPS = Set.of("restore", "verify");

  private RunHistory() {}

  /** Whether {@code r} is a backup run (not a restore or a restore drill). */
  public static boolean isBackup(RunRecord r) {
    return !NOT_BACKUPS.contains(r.trigger());
  }

  /** Whether {@code r} counts as history: an ended, successful backup run. */
  public static boolean usable(RunRecord r) {
    return isBackup(r)
        && RunRecord.SUCCEEDED.equals(r.state())
        && r.startedAt() != null
        && r.endedAt() != null;
  }

  /** The usable runs of {@code records}, oldest first. */
  public static List<RunRecord> usableOldestFirst(List<RunRecord> records) {
    return records.stream()
        .filter(RunHistory::usable)
        .sorted(Comparator.comparing(RunRecord::startedAt).thenComparing(RunRecord::id))
        .toList();
  }

  /** The last step of {@code r} named {@code name} of kind {@code kind} that ended ok. */
  static Optional<StepRecord> okStep(RunRecord r, String kind, String name) {
    return r.steps().stream()
        .filter(s -> kind.equals(s.kind()) && name.equals(s.name()) && "ok".equals(s.outcome()))
        .reduce((a, b) -> b);
  }
}
