package dev.stackback.port;

import java.util.OptionalLong;

/**
 * What one {@code forget} (with or without prune) did, read from its output.
 *
 * @param kept snapshots kept, over all groups
 * @param removed snapshots removed, over all groups
 * @param pruned bytes the prune removed from the repository; empty when no prune ran (nothing was
 *     removed, or not asked) or its output did not say
 */
public record ForgetSummary(int kept, int removed, OptionalLong pruned) {
  public ForgetSummary {
    pruned = pruned == null ? OptionalLong.empty() : pruned;
  }
}
