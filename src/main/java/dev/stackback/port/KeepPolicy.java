package dev.stackback.port;

/** How many snapshots {@code forget} keeps per group. */
public record KeepPolicy(int daily, int weekly, int monthly, int yearly) {
  public KeepPolicy {
    if (daily < 0 || weekly < 0 || monthly < 0 || yearly < 0) {
      throw new IllegalArgumentException("keep counts must not be negative");
    }
  }
}
