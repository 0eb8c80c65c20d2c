package dev.stackback.engine;

import dev.stackback.port.ForgetSummary;
import dev.stackback.util.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * The one line a person reads about a forget + prune ({@code kept 12, removed 3 snapshots; prune
 * freed 120 MiB}) instead of restic's tables; the tables stay in the step's output tail.
 */
public final class ForgetReport {
  private ForgetReport() {}

  /** The line for {@code summary}; without one, how many lines restic printed. */
  public static String describe(Optional<ForgetSummary> summary, List<String> output) {
    if (summary.isEmpty()) {
      return output.size() + " line(s) of output";
    }
    ForgetSummary s = summary.get();
    String snapshots =
        "kept "
            + s.kept()
            + ", removed "
            + s.removed()
            + (s.removed() == 1 ? " snapshot" : " snapshots");
    if (s.pruned().isPresent()) {
      return snapshots + "; prune freed " + Bytes.format(s.pruned().getAsLong());
    }
    return s.removed() == 0 ? snapshots + "; nothing to prune" : snapshots;
  }
}
