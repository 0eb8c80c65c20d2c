package dev.stackback.restic;

import dev.stackback.port.ForgetSummary;
import dev.stackback.util.Bytes;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text output of {@code restic forget [--prune]} (the same in restic 0.14 and 0.19): one
 * {@code keep N snapshots:} / {@code remove N snapshots:} table per group, then, when something was
 * removed and prune asked, prune's {@code total prune: B blobs / 157.723 MiB}.
 */
final class ForgetOutput {
  private static final Pattern KEEP = Pattern.compile("^keep (\\d+) snapshots?:\\s*$");
  private static final Pattern REMOVE = Pattern.compile("^remove (\\d+) snapshots?:\\s*$");
  private static final Pattern PRUNED = Pattern.compile("^total prune:\\s+\\d+ blobs / (.+)$");

  private ForgetOutput() {}

  /** The summary of {@code lines}, or empty when they hold no keep/remove table at all. */
  static Optional<ForgetSummary> summarize(List<String> lines) {
    int kept = 0;
    int removed = 0;
    boolean seen = false;
    OptionalLong pruned = OptionalLong.empty();
    for (String raw : lines) {
      String line = raw.strip();
      Matcher m = KEEP.matcher(line);
      if (m.matches()) {
        kept += Integer.parseInt(m.group(1));
        seen = true;
        continue;
      }
      m = REMOVE.matcher(line);
      if (m.matches()) {
        removed += Integer.parseInt(m.group(1));
        seen = true;
        continue;
      }
      m = PRUNED.matcher(line);
      if (m.matches()) {
        pruned = Bytes.parse(m.group(1));
      }
    }
    return seen || pruned.isPresent()
        ? Optional.of(new ForgetSummary(kept, removed, pruned))
        : Optional.empty();
  }
}
