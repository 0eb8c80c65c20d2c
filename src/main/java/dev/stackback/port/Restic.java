package dev.stackback.port;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to restic. The repository and its secrets come from the environment the adapter was built
 * with; they never appear in arguments or messages. Every call is bounded by a timeout and throws
 * {@link ResticException} on failure.
 */
public interface Restic {

  /** What {@link #ensureRepository()} found. */
  enum RepositoryState {
    EXISTING,
    INITIALISED
  }

  /**
   * Checks that the repository answers and the password is right; initialises it when it does not
   * exist yet.
   */
  RepositoryState ensureRepository();

  /**
   * Starts the first read of {@link #ensureRepository()} in the background, before the run takes
   * its locks, so that restic's start-up and key derivation overlap with connecting to Docker,
   * locking and planning. A later {@code ensureRepository} takes a success from it and does
   * everything else itself (locks found, initialisation, errors), as without it. The returned
   * handle waits for that read, so no restic process outlives a command that never asked. Does
   * nothing by default.
   */
  default Prefetch prefetchRepositoryCheck() {
    return () -> {};
  }

  /** A background read of {@link #prefetchRepositoryCheck()}; closing it waits for it. */
  interface Prefetch extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * {@code restic backup --stdin --stdin-filename <filename>} with our host and tags; {@code
   * producer} writes the data. When the producer returns false or throws, restic is interrupted and
   * no snapshot is made (a {@link ResticException} is thrown).
   */
  BackupSummary backupStdin(
      String filename,
      String host,
      List<String> tags,
      StdinProducer producer,
      OutputLine log,
      Duration timeout);

  /** {@code restic backup <paths>} of local paths, with our host and tags. */
  BackupSummary backupPaths(
      List<String> paths, String host, List<String> tags, OutputLine log, Duration timeout);

  /**
   * The argv of a {@code restic backup} of {@code paths} with our host and tags, to run in a worker
   * container that has the same restic and the same repository environment.
   */
  List<String> backupCommand(String host, List<String> tags, List<String> paths);

  /**
   * Extra environment for a {@link #backupCommand} exec (e.g. how often restic reports progress),
   * on top of the worker's own.
   */
  default Map<String, String> backupCommandEnv() {
    return Map.of();
  }

  /**
   * Reads the outcome of a {@link #backupCommand} run elsewhere from its last stdout lines and exit
   * code: the summary, or a {@link ResticException} that says what went wrong. Exit 3 (some files
   * unreadable) gives a summary with {@code incomplete} set.
   */
  BackupSummary parseBackupOutput(List<String> stdoutTail, int exitCode);

  /**
   * The progress report in one output line of a backup ({@link #backupCommand} run elsewhere, or
   * the lines {@link #backupStdin} and {@link #backupPaths} pass to their log), or empty for any
   * other line. Progress lines are for logging only: callers do not keep them.
   */
  default Optional<BackupProgress> progress(String line) {
    return Optional.empty();
  }

  /** Snapshots of {@code host} carrying every tag in {@code tags} (all when host is null). */
  List<Snapshot> snapshots(String host, List<String> tags);

  /**
   * {@link #snapshots} for a display ({@code status}, {@code snapshots}): without a repository
   * lock, so it waits for no lock (restic lets every new lock settle for 200 ms) and a prune in
   * progress does not make it fail. Whatever chooses a snapshot to act on uses {@link #snapshots}.
   */
  default List<Snapshot> snapshotsToShow(String host, List<String> tags) {
    return snapshots(host, tags);
  }

  /**
   * {@code forget} of the snapshots with this host and tag, grouped by host and paths, then {@code
   * prune} when asked. Returns restic's output lines.
   */
  List<String> forget(String host, String tag, KeepPolicy keep, boolean prune, OutputLine log);

  /**
   * What a {@link #forget} did, read from the output lines it returned; empty when they do not say
   * (an adapter whose output is not restic's).
   */
  default Optional<ForgetSummary> summarizeForget(List<String> forgetOutput) {
    return Optional.empty();
  }

  /**
   * {@code forget} of every snapshot of these hosts by {@code keep}, grouped by paths only (the
   * Python tool's retention), then {@code prune} when asked. For snapshots that are not ours.
   */
  List<String> forgetHostsByPaths(
      List<String> hosts, KeepPolicy keep, boolean prune, OutputLine log);

  /** {@code forget} of exactly these snapshot ids, then {@code prune} when asked. */
  List<String> forgetIds(List<String> ids, boolean prune, OutputLine log);

  /** {@code restic check}, optionally with {@code --read-data-subset}. */
  void check(Optional<String> readDataSubset, OutputLine log);

  /** Restores a snapshot (optionally only {@code includes}) into {@code target}. */
  void restore(String snapshotId, Path target, List<String> includes, OutputLine log);

  /**
   * The argv of a {@code restic restore <snapshotId> --target / --include <path>...}, to run in a
   * worker container that has the same restic and repository environment and the restored paths
   * mounted: the snapshot's files are written back at the paths they were read from. With {@link
   * #restoreDeletes()} it also has {@code --delete}: files under the included paths that are not in
   * the snapshot are removed (only there: restic confines the deletion to what it restores).
   */
  List<String> restoreCommand(String snapshotId, List<String> includes);

  /**
   * True when {@link #restoreCommand} makes the restored paths equal to the snapshot (restic ≥ 0.17
   * has {@code restore --delete}); false when files absent from the snapshot stay.
   */
  default boolean restoreDeletes() {
    return false;
  }

  /** The size in bytes of the file {@code path} in a snapshot ({@code restic ls --json}). */
  long fileSize(String snapshotId, String path);

  /** One file of a snapshot as {@code restic ls --json} lists it. */
  record FileNode(String path, long size) {}

  /**
   * Every regular file of a snapshot with its size ({@code restic ls --json <id>}), in restic's
   * order. For restore drills.
   */
  default List<FileNode> files(String snapshotId) {
    throw new UnsupportedOperationException("this restic adapter cannot list a snapshot's files");
  }

  /**
   * Restores a whole snapshot into {@code target} and has restic read every restored file back and
   * compare it with the repository ({@code restic restore --verify}); throws when restic reports a
   * difference or any other error. For restore drills.
   */
  default void restoreVerified(String snapshotId, Path target, OutputLine log) {
    throw new UnsupportedOperationException("this restic adapter cannot verify a restore");
  }

  /** {@code restic dump}: writes one file of a snapshot to {@code out} as it streams. */
  void dump(String snapshotId, String path, OutputStream out);

  /**
   * The argv of {@code restic unlock} (stale locks only, never {@code --remove-all}), to run in a
   * worker container that has the same restic and repository environment.
   */
  default List<String> unlockCommand() {
    return List.of("restic", "unlock");
  }

  /**
   * From now on, when a command finds the repository locked, call {@code sweeper} too (after this
   * process's own {@code restic unlock}, before the one retry) with the locks then in the
   * repository: it removes stale locks that only another place can judge (those of dead worker
   * containers). The caller decides when that is safe; {@code null} stops it. Adapters that cannot
   * be locked ignore it.
   */
  default void sweepLocksWith(LockSweeper sweeper) {}

  /** One lock in the repository, as {@code restic cat lock} shows it. */
  record LockInfo(String id, String hostname, long pid, boolean exclusive) {}

  /**
   * Removes stale locks of processes that this process cannot see (see {@link #sweepLocksWith}).
   */
  @FunctionalInterface
  interface LockSweeper {
    /** Called with the locks in the repository (never empty); best effort, may throw. */
    void sweep(List<LockInfo> locks);
  }
}
