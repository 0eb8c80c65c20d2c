package dev.stackback.restic;

import dev.stackback.port.KeepPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds restic argv lists. Every list starts with the program name {@value #PROGRAM}; {@link
 * ResticCli} replaces it with its configured binary, a worker container runs it as is. No secret
 * ever goes into an argv: the repository and its password travel in the environment.
 */
public final class ResticArgs {
  /** The program name every argv starts with. */
  public static final String PROGRAM = "restic";

  private ResticArgs() {}

  /** {@code restic backup --json --host H --tag t... -- paths}. */
  public static List<String> backupPaths(String host, List<String> tags, List<String> paths) {
    if (paths == null || paths.isEmpty()) {
      throw new IllegalArgumentException("backup needs at least one path");
    }
    List<String> argv = start("backup", "--json");
    addHostAndTags(argv, host, tags);
    argv.add("--");
    for (String path : paths) {
      argv.add(requireText(path, "path"));
    }
    return List.copyOf(argv);
  }

  /** {@code restic backup --stdin --stdin-filename F --json --host H --tag t...}. */
  public static List<String> backupStdin(String filename, String host, List<String> tags) {
    List<String> argv = start("backup", "--stdin", "--stdin-filename");
    argv.add(requireText(filename, "stdin filename"));
    argv.add("--json");
    addHostAndTags(argv, host, tags);
    return List.copyOf(argv);
  }

  /**
   * {@code restic snapshots --json [--host H] [--tag a,b]}: a null host lists all hosts; the tags
   * are ANDed (restic ANDs the tags of one comma-separated {@code --tag}).
   */
  public static List<String> snapshots(String host, List<String> tags) {
    List<String> argv = start("snapshots", "--json");
    if (host != null) {
      argv.add("--host");
      argv.add(requireText(host, "host"));
    }
    List<String> checked = checkTags(tags);
    if (!checked.isEmpty()) {
      argv.add("--tag");
      argv.add(String.join(",", checked));
    }
    return List.copyOf(argv);
  }

  /**
   * {@code restic forget --host H --tag T --group-by host,paths --keep-daily .. --keep-weekly ..
   * --keep-monthly .. --keep-yearly .. [--prune]}.
   */
  public static List<String> forget(String host, String tag, KeepPolicy keep, boolean prune) {
    Objects.requireNonNull(keep, "keep");
    List<String> argv = start("forget", "--host", requireText(host, "host"), "--tag");
    argv.add(checkTag(tag));
    argv.addAll(List.of("--group-by", "host,paths"));
    return keepAndPrune(argv, keep, prune);
  }

  /** {@code argv} with the keep policy's {@code --keep-*} flags and {@code --prune} when asked. */
  private static List<String> keepAndPrune(List<String> argv, KeepPolicy keep, boolean prune) {
    argv.addAll(List.of("--keep-daily", Integer.toString(keep.daily())));
    argv.addAll(List.of("--keep-weekly", Integer.toString(keep.weekly())));
    argv.addAll(List.of("--keep-monthly", Integer.toString(keep.monthly())));
    argv.addAll(List.of("--keep-yearly", Integer.toString(keep.yearly())));
    if (prune) {
      argv.add("--prune");
    }
    return List.copyOf(argv);
  }

  /**
   * {@code restic forget --host H... --group-by paths --keep-* [--prune]}: the Python tool's
   * retention (grouped by paths only: its hosts change every run) over the given hosts only.
   */
  public static List<String> forgetHostsByPaths(
      List<String> hosts, KeepPolicy keep, boolean prune) {
    Objects.requireNonNull(keep, "keep");
    if (hosts == null || hosts.isEmpty()) {
      throw new IllegalArgumentException("forget needs at least one host");
    }
    List<String> argv = start("forget");
    for (String host : hosts) {
      argv.add("--host");
      argv.add(requireText(host, "host"));
    }
    argv.addAll(List.of("--group-by", "paths"));
    return keepAndPrune(argv, keep, prune);
  }

  /** {@code restic forget [--prune] -- id...}: exactly these snapshots. */
  public static List<String> forgetIds(List<String> ids, boolean prune) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("forget needs at least one snapshot id");
    }
    List<String> argv = start("forget");
    if (prune) {
      argv.add("--prune");
    }
    argv.add("--");
    for (String id : ids) {
      if (!id.matches("[0-9a-f]{8,64}")) {
        throw new IllegalArgumentException("not a snapshot id: '" + id + "'");
      }
      argv.add(id);
    }
    return List.copyOf(argv);
  }

  /** {@code restic prune}. */
  public static List<String> prune() {
    return List.copyOf(start("prune"));
  }

  /** {@code restic check [--no-cache] [--read-data-subset S]}. */
  public static List<String> check(boolean noCache, Optional<String> readDataSubset) {
    List<String> argv = start("check");
    if (noCache) {
      argv.add("--no-cache");
    }
    readDataSubset.ifPresent(
        subset -> {
          argv.add("--read-data-subset");
          argv.add(requireText(subset, "read-data-subset"));
        });
    return List.copyOf(argv);
  }

  /**
   * {@code restic restore ID --target T [--include P]...}; include patterns are restic patterns
   * matched against paths inside the snapshot.
   */
  public static List<String> restore(String snapshotId, Path target, List<String> includes) {
    return restore(snapshotId, target, includes, false);
  }

  /**
   * {@code restic restore ID --target T [--include P]... [--delete]}: with {@code delete} (restic ≥
   * 0.17) files under the included paths that are not in the snapshot are removed.
   */
  public static List<String> restore(
      String snapshotId, Path target, List<String> includes, boolean delete) {
    List<String> argv = start("restore", checkSnapshotId(snapshotId), "--target");
    argv.add(Objects.requireNonNull(target, "target").toString());
    for (String include : includes == null ? List.<String>of() : includes) {
      argv.add("--include");
      argv.add(requireText(include, "include"));
    }
    if (delete) {
      argv.add("--delete");
    }
    return List.copyOf(argv);
  }

  /** {@code restic dump ID PATH}: the file's bytes on stdout. */
  public static List<String> dump(String snapshotId, String path) {
    return List.copyOf(start("dump", checkSnapshotId(snapshotId), requireText(path, "path")));
  }

  /** {@code restic ls --json ID PATH}: the snapshot, then the node of that path. */
  public static List<String> ls(String snapshotId, String path) {
    return List.copyOf(
        start("ls", "--json", checkSnapshotId(snapshotId), requireText(path, "path")));
  }

  /** {@code restic ls --json ID}: the snapshot, then every node in it. */
  public static List<String> lsAll(String snapshotId) {
    return List.copyOf(start("ls", "--json", checkSnapshotId(snapshotId)));
  }

  /** {@code restic restore ID --target T --verify}: restic reads the restored files back. */
  public static List<String> restoreVerified(String snapshotId, Path target) {
    List<String> argv = new java.util.ArrayList<>(restore(snapshotId, target, List.of()));
    argv.add("--verify");
    return List.copyOf(argv);
  }

  /** {@code restic cat config}: cheap probe that the repository exists and the password fits. */
  public static List<String> catConfig() {
    return List.copyOf(start("cat", "config"));
  }

  /** {@code restic init}. */
  public static List<String> init() {
    return List.copyOf(start("init"));
  }

  /** {@code restic unlock}: removes stale locks (never a live process's). */
  public static List<String> unlock() {
    return List.copyOf(start("unlock"));
  }

  /** {@code restic version}. */
  public static List<String> version() {
    return List.copyOf(start("version"));
  }

  /**
   * {@code argv} with the global {@code --retry-lock <seconds>s} after the program name: restic
   * (0.16+) then waits up to that long for a lock held by another process.
   */
  public static List<String> withRetryLock(List<String> argv, java.time.Duration wait) {
    List<String> out = new ArrayList<>(argv);
    out.add(1, "--retry-lock");
    out.add(2, Math.max(1, wait.toSeconds()) + "s");
    return List.copyOf(out);
  }

  /** restic's flag for a command that takes no repository lock. */
  public static final String NO_LOCK = "--no-lock";

  /** {@code restic list locks --no-lock}: works while the repository is locked exclusively. */
  public static List<String> listLocksNoLock() {
    return List.copyOf(start("list", "locks", NO_LOCK));
  }

  /** {@code restic cat lock ID --no-lock}: the lock's JSON (time, exclusive, hostname, pid). */
  public static List<String> catLock(String id) {
    return List.copyOf(start("cat", "lock", checkSnapshotId(id), NO_LOCK));
  }

  /** {@code restic list locks}. */
  public static List<String> listLocks() {
    return List.copyOf(start("list", "locks"));
  }

  private static List<String> start(String... words) {
    List<String> argv = new ArrayList<>();
    argv.add(PROGRAM);
    argv.addAll(List.of(words));
    return argv;
  }

  private static void addHostAndTags(List<String> argv, String host, List<String> tags) {
    argv.add("--host");
    argv.add(requireText(host, "host"));
    for (String tag : checkTags(tags)) {
      argv.add("--tag");
      argv.add(tag);
    }
  }

  private static List<String> checkTags(List<String> tags) {
    return tags == null ? List.of() : tags.stream().map(ResticArgs::checkTag).toList();
  }

  // restic splits --tag values on commas, so a comma would silently make two tags
  private static String checkTag(String tag) {
    requireText(tag, "tag");
    if (tag.contains(",")) {
      throw new IllegalArgumentException("tag '" + tag + "' must not contain a comma");
    }
    return tag;
  }

  private static String checkSnapshotId(String id) {
    requireText(id, "snapshot id");
    if (id.startsWith("-")) {
      throw new IllegalArgumentException("snapshot id '" + id + "' must not start with '-'");
    }
    return id;
  }

  private static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }
}
