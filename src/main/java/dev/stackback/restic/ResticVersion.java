package dev.stackback.restic;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version {@code restic version} prints ({@code restic 0.14.0 compiled with go1.19.8 ...}), for
 * the features that depend on it.
 */
record ResticVersion(int major, int minor, int patch) implements Comparable<ResticVersion> {
  /** {@code --retry-lock} exists since 0.16.0. */
  static final ResticVersion RETRY_LOCK = new ResticVersion(0, 16, 0);

  /** {@code restore --delete} and the exit codes 10, 11 and 12 exist since 0.17.0. */
  static final ResticVersion RESTORE_DELETE = new ResticVersion(0, 17, 0);

  private static final Pattern VERSION = Pattern.compile("restic (\\d+)\\.(\\d+)\\.(\\d+)");

  /** The version in {@code restic version}'s output, or empty when there is none. */
  static Optional<ResticVersion> parse(String output) {
    Matcher m = VERSION.matcher(output == null ? "" : output);
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(
        new ResticVersion(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))));
  }

  /**
   * restic 0.18.0 fails every {@code backup --stdin --stdin-filename} whose name has a directory
   * (restic#5324, fixed in 0.18.1): every database dump.
   */
  static final ResticVersion BROKEN_STDIN = new ResticVersion(0, 18, 0);

  /** True when restic can wait for a lock ({@code --retry-lock}). */
  boolean retriesLocks() {
    return compareTo(RETRY_LOCK) >= 0;
  }

  /** True when {@code restic restore} can delete files absent from the snapshot. */
  boolean restoreDeletes() {
    return compareTo(RESTORE_DELETE) >= 0;
  }

  @Override
  public int compareTo(ResticVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(patch, o.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
