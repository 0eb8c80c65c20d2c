package dev.stackback.restic;

import dev.stackback.port.BackupProgress;
import dev.stackback.port.BackupSummary;
import dev.stackback.port.ForgetSummary;
import dev.stackback.port.KeepPolicy;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import dev.stackback.port.Snapshot;
import dev.stackback.port.StdinProducer;
import dev.stackback.util.Durations;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Restic} by running the restic binary. The repository, password and backend credentials
 * travel only in the environment given to the constructor; every call is bounded by a timeout after
 * which restic gets SIGINT (so it removes its lock) and, if it does not exit, SIGKILL.
 *
 * <p>A backup that exits 3 (some files unreadable) made a snapshot: it returns the summary with
 * {@code incomplete=true} instead of throwing, and the engine decides what that means.
 */
public final class ResticCli implements Restic {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.restic");

  /**
   * restic's progress rate: with {@code --json} it prints a {@code status} line up to 60 times a
   * second unless told otherwise; one every 2 s is plenty for a log line every 10 s.
   */
  static final String PROGRESS_FPS = "RESTIC_PROGRESS_FPS";

  static final String PROGRESS_FPS_VALUE = "0.5";
  // how often a waiting call looks whether restic retries against an unreachable backend
  private static final Duration WATCH_EVERY = Duration.ofMillis(200);
  private final String binary;
  private final Map<String, String> env;
  private final Duration defaultTimeout;
  private final boolean checkWithCache;
  private final Redactor redactor;
  private final Locks locks = new Locks(this);
  private MissingRepository missing = new MissingRepository(this, null);
  // the background read of prefetchRepositoryCheck(), taken by the next ensureRepository()
  private volatile FutureTask<Result> prefetched;
  private volatile LockSweeper sweeper;

  /**
   * @param binary restic executable (e.g. {@code "restic"} or {@code /usr/bin/restic})
   * @param env environment for restic ({@code RESTIC_REPOSITORY}, {@code RESTIC_PASSWORD}, its
   *     {@code _FILE}/{@code _COMMAND} forms, backend credentials); inherited {@code RESTIC_*}
   *     variables not in this map are removed
   * @param defaultTimeout bound for calls that take no timeout of their own
   * @param checkWithCache when true {@code check} uses the cache (CHECK_WITH_CACHE), else {@code
   *     --no-cache}
   */
  public ResticCli(
      String binary, Map<String, String> env, Duration defaultTimeout, boolean checkWithCache) {
    this.binary = binary == null || binary.isBlank() ? ResticArgs.PROGRAM : binary;
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    this.checkWithCache = checkWithCache;
    this.redactor = new Redactor(this.env);
  }

  /**
   * Like {@link #ResticCli(String, Map, Duration, boolean)}, remembering in {@code stateDir} which
   * repositories were used (see {@link KnownRepositories}), so one that vanished completely is not
   * initialised afresh.
   */
  public ResticCli(
      String binary,
      Map<String, String> env,
      Duration defaultTimeout,
      boolean checkWithCache,
      Path stateDir) {
    this(binary, env, defaultTimeout, checkWithCache);
    this.missing =
        new MissingRepository(this, stateDir == null ? null : new KnownRepositories(stateDir));
  }

  /** restic from the PATH, {@code check --no-cache}. */
  public ResticCli(Map<String, String> env, Duration defaultTimeout) {
    this(ResticArgs.PROGRAM, env, defaultTimeout, false);
  }

  /**
   * {@code cat config} (which takes a shared lock, so a stale exclusive lock is found and cleared
   * here, before any backup). Initialises only where restic says there is no repository and, for a
   * local path, nothing is in the way: a location with leftovers is {@link Kind#DAMAGED}.
   */
  @Override
  public Prefetch prefetchRepositoryCheck() {
    FutureTask<Result> read =
        new FutureTask<>(
            () -> run(ResticArgs.catConfig(), OutputLine.discard(), defaultTimeout, null));
    prefetched = read;
    Thread.ofPlatform().daemon().name("stack-back-repository-prefetch").start(read);
    return () -> prefetched(read);
  }

  /** The outcome of a prefetched read, or null when it threw (the check then runs as usual). */
  private static Result prefetched(FutureTask<Result> read) {
    try {
      return read.get();
    } catch (ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public RepositoryState ensureRepository() {
    FutureTask<Result> read = prefetched;
    prefetched = null;
    Result early = read == null ? null : prefetched(read);
    if (early != null && early.exitCode == 0) {
      missing.remember(early);
      return RepositoryState.EXISTING;
    }
    Result probe = runLocking("cat config", ResticArgs.catConfig(), OutputLine.discard());
    if (probe.exitCode == 0) {
      missing.remember(probe);
      return RepositoryState.EXISTING;
    }
    ResticException failure = failure("cat config", probe);
    if (failure.kind() != Kind.NO_REPOSITORY) {
      throw failure;
    }
    LOG.info("no restic repository at {}: initialising one", location());
    runChecked("init", ResticArgs.init(), OutputLine.discard(), defaultTimeout);
    if (missing.remembers()) {
      missing.remember(
          runChecked("cat config", ResticArgs.catConfig(), OutputLine.discard(), defaultTimeout));
    }
    return RepositoryState.INITIALISED;
  }

  @Override
  public BackupSummary backupStdin(
      String filename,
      String host,
      List<String> tags,
      StdinProducer producer,
      OutputLine log,
      Duration timeout) {
    Objects.requireNonNull(producer, "producer");
    if (version().filter(ResticVersion.BROKEN_STDIN::equals).isPresent()) {
      // before the producer starts: no dump runs for a backup that cannot be stored
      throw new ResticException(
          Kind.FAILED,
          -1,
          "restic 0.18.0 cannot store database dumps (restic#5324: backup --stdin-filename with a"
              + " directory fails); use restic 0.18.1 or later (the image has 0.19.1)");
    }
    List<String> argv = ResticArgs.backupStdin(filename, host, tags);
    return new StdinBackup(this, argv(argv), producer, output(log), timeout).run();
  }

  @Override
  public BackupSummary backupPaths(
      List<String> paths, String host, List<String> tags, OutputLine log, Duration timeout) {
    List<String> args = ResticArgs.backupPaths(host, tags, paths);
    ResticOutput output = output(log);
    ResticProcess process = ResticProcess.start(argv(args), backupEnv(), output, null, false);
    return summary(finish("backup", process, output, timeout));
  }

  @Override
  public List<String> backupCommand(String host, List<String> tags, List<String> paths) {
    return ResticArgs.backupPaths(host, tags, paths);
  }

  @Override
  public Map<String, String> backupCommandEnv() {
    return env.containsKey(PROGRESS_FPS) ? Map.of() : Map.of(PROGRESS_FPS, PROGRESS_FPS_VALUE);
  }

  @Override
  public BackupSummary parseBackupOutput(List<String> stdoutTail, int exitCode) {
    try {
      return ResticJson.parseBackupSummary(stdoutTail, exitCode);
    } catch (ResticException e) {
      throw new ResticException(e.kind(), e.exitCode(), redact(e.getMessage()));
    }
  }

  @Override
  public Optional<BackupProgress> progress(String line) {
    return ResticJson.parseStatus(line);
  }

  @Override
  public List<Snapshot> snapshots(String host, List<String> tags) {
    return listSnapshots(ResticArgs.snapshots(host, tags));
  }

  @Override
  public List<Snapshot> snapshotsToShow(String host, List<String> tags) {
    List<String> argv = new ArrayList<>(ResticArgs.snapshots(host, tags));
    argv.add(ResticArgs.NO_LOCK);
    return listSnapshots(argv);
  }

  private List<Snapshot> listSnapshots(List<String> argv) {
    Result result = runChecked("snapshots", argv, OutputLine.discard(), defaultTimeout);
    return ResticJson.parseSnapshots(String.join("\n", result.output.stdoutLines()));
  }

  @Override
  public List<String> forget(
      String host, String tag, KeepPolicy keep, boolean prune, OutputLine log) {
    Result result =
        runChecked("forget", ResticArgs.forget(host, tag, keep, prune), log, defaultTimeout);
    return result.output.stdoutLines();
  }

  @Override
  public Optional<ForgetSummary> summarizeForget(List<String> forgetOutput) {
    return ForgetOutput.summarize(forgetOutput);
  }

  @Override
  public List<String> forgetHostsByPaths(
      List<String> hosts, KeepPolicy keep, boolean prune, OutputLine log) {
    return runChecked(
            "forget", ResticArgs.forgetHostsByPaths(hosts, keep, prune), log, defaultTimeout)
        .output
        .stdoutLines();
  }

  @Override
  public List<String> forgetIds(List<String> ids, boolean prune, OutputLine log) {
    return runChecked("forget", ResticArgs.forgetIds(ids, prune), log, defaultTimeout)
        .output
        .stdoutLines();
  }

  @Override
  public void check(Optional<String> readDataSubset, OutputLine log) {
    runChecked("check", ResticArgs.check(!checkWithCache, readDataSubset), log, defaultTimeout);
  }

  @Override
  public void restore(String snapshotId, Path target, List<String> includes, OutputLine log) {
    runChecked("restore", ResticArgs.restore(snapshotId, target, includes), log, defaultTimeout);
  }

  @Override
  public List<String> restoreCommand(String snapshotId, List<String> includes) {
    if (includes == null || includes.isEmpty()) {
      throw new IllegalArgumentException("a restore from / needs at least one include");
    }
    return ResticArgs.restore(snapshotId, Path.of("/"), includes, restoreDeletes());
  }

  @Override
  public boolean restoreDeletes() {
    return version().map(ResticVersion::restoreDeletes).orElse(false);
  }

  @Override
  public long fileSize(String snapshotId, String path) {
    Result result =
        runChecked("ls", ResticArgs.ls(snapshotId, path), OutputLine.discard(), defaultTimeout);
    return ResticJson.parseFileSize(result.output.stdoutLines(), path)
        .orElseThrow(
            () ->
                new ResticException(
                    Kind.FAILED, 0, "snapshot " + snapshotId + " has no file '" + path + "'"));
  }

  @Override
  public List<FileNode> files(String snapshotId) {
    Result result =
        runChecked("ls", ResticArgs.lsAll(snapshotId), OutputLine.discard(), defaultTimeout);
    return ResticJson.parseFiles(result.output.stdoutLines());
  }

  @Override
  public void restoreVerified(String snapshotId, Path target, OutputLine log) {
    runChecked("restore", ResticArgs.restoreVerified(snapshotId, target), log, defaultTimeout);
  }

  @Override
  public void dump(String snapshotId, String path, OutputStream out) {
    Objects.requireNonNull(out, "out");
    List<String> args = ResticArgs.dump(snapshotId, path);
    ResticOutput output = output(OutputLine.discard());
    ResticProcess process = ResticProcess.start(argv(args), env, output, out, false);
    Result result = finish("dump", process, output, defaultTimeout);
    if (process.copyError() != null) {
      throw new ResticException(
          Kind.FAILED,
          result.exitCode,
          "restic dump: writing the output failed: "
              + redactor.redact(process.copyError().getMessage()));
    }
    if (result.exitCode != 0) {
      throw failure("dump", result);
    }
  }

  @Override
  public List<String> unlockCommand() {
    return ResticArgs.unlock();
  }

  @Override
  public void sweepLocksWith(LockSweeper sweeper) {
    this.sweeper = sweeper;
  }

  /** {@code restic list locks}: the ids of the locks in the repository (for checks and tests). */
  public List<String> locks() {
    return runChecked("list locks", ResticArgs.listLocks(), OutputLine.discard(), defaultTimeout)
        .output
        .stdoutLines()
        .stream()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /**
   * {@code restic unlock}: removes stale locks only (those of dead processes on this host, or older
   * than 30 minutes). restic 0.14 interrupted within its first fraction of a second, between
   * creating its lock and arming its clean-up, exits on SIGINT and leaves its lock behind; an
   * aborted backup calls this so the next run does not find the repository locked. Best effort.
   */
  void removeStaleLocks() {
    locks.removeStale();
  }

  /** {@code restic version}, asked once; empty when it cannot be read. */
  Optional<ResticVersion> version() {
    return locks.version();
  }

  /** Runs restic (package-private for {@link Locks}); never throws on a non-zero exit. */
  Result runQuietly(List<String> args, Duration timeout) {
    return run(args, OutputLine.discard(), timeout, null);
  }

  /** {@code restic prune} on its own (after a {@code forget} without prune). */
  public void prune(OutputLine log) {
    runChecked("prune", ResticArgs.prune(), log, defaultTimeout);
  }

  // ---- running restic ----

  /** What a finished restic call left: its exit code and output. */
  record Result(int exitCode, ResticOutput output) {}

  List<String> argv(List<String> args) {
    List<String> argv = new ArrayList<>(args);
    argv.set(0, binary);
    return argv;
  }

  String redact(String text) {
    return redactor.redact(text);
  }

  Map<String, String> env() {
    return env;
  }

  /** The environment of a backup: {@link #env()} plus {@link #backupCommandEnv()}. */
  Map<String, String> backupEnv() {
    Map<String, String> backup = new HashMap<>(env);
    backup.putAll(backupCommandEnv());
    return Map.copyOf(backup);
  }

  ResticOutput output(OutputLine log) {
    return new ResticOutput(log, redactor);
  }

  private Result run(List<String> args, OutputLine log, Duration timeout, OutputStream raw) {
    ResticOutput output = output(log);
    ResticProcess process = ResticProcess.start(argv(args), env, output, raw, false);
    return finish(args.get(1), process, output, timeout);
  }

  private Result runChecked(String what, List<String> args, OutputLine log, Duration timeout) {
    Result result =
        Locks.takesLock(args) ? runLocking(what, args, log) : run(args, log, timeout, null);
    if (result.exitCode != 0) {
      throw failure(what, result);
    }
    return result;
  }

  /**
   * Runs a command that takes a repository lock. When restic finds the repository locked, the stale
   * locks are removed ({@code restic unlock}: only locks of dead processes on this host, or older
   * than 30 minutes, never a live one; then the sweeper of {@link #sweepLocksWith}, if set, for the
   * locks of dead worker containers) and the command runs once more, waiting up to {@link
   * Locks#WAIT} for the lock where restic can ({@code --retry-lock}, 0.16+). Returns the last
   * result; a lock that is still held fails with a message that says whose it is and what to do.
   */
  private Result runLocking(String what, List<String> args, OutputLine log) {
    Result first = run(args, log, defaultTimeout, null);
    if (first.exitCode == 0 || kindOf(first) != Kind.LOCKED) {
      return first;
    }
    LOG.warn(
        "restic {}: the repository is locked ({}); removing stale locks and trying once more",
        what,
        first.output.errorText());
    locks.removeStale();
    sweep();
    Result second = run(locks.withWait(args), log, defaultTimeout, null);
    if (second.exitCode != 0 && kindOf(second) == Kind.LOCKED) {
      throw locks.stillLocked(what, second);
    }
    return second;
  }

  /**
   * Runs the sweeper set with {@link #sweepLocksWith}, if any, with the locks left after our own
   * unlock; best effort.
   */
  private void sweep() {
    LockSweeper s = sweeper;
    if (s == null) {
      return;
    }
    try {
      List<LockInfo> left = locks.list();
      if (!left.isEmpty()) {
        s.sweep(left);
      }
    } catch (RuntimeException e) {
      LOG.warn("removing stale locks of dead worker containers failed: {}", redact(e.getMessage()));
    }
  }

  private static Kind kindOf(Result result) {
    return ResticExitCodes.classify(result.exitCode, result.output.stderrLines());
  }

  /** The repository location for messages (a password in a URL masked). */
  String location() {
    return redact(env.getOrDefault("RESTIC_REPOSITORY", "(RESTIC_REPOSITORY)"));
  }

  /** Waits for {@code process} up to {@code timeout}; past it interrupts restic and throws. */
  Result finish(String what, ResticProcess process, ResticOutput output, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      OptionalInt code = process.await(Duration.ofNanos(Math.min(left, WATCH_EVERY.toNanos())));
      if (code.isPresent()) {
        return new Result(code.getAsInt(), output);
      }
      Optional<String> unreachable = output.unreachable();
      if (unreachable.isPresent()) {
        // restic would retry for 15 minutes; nothing was written yet, so stop it now
        process.interrupt();
        throw unreachable(unreachable.get());
      }
      if (deadline - System.nanoTime() <= 0) {
        process.interrupt();
        throw timeout(what, timeout, output);
      }
    }
  }

  /** "cannot reach <repository>: <restic's reason>". */
  ResticException unreachable(String reason) {
    return new ResticException(
        Kind.UNREACHABLE, -1, "cannot reach " + location() + ": " + redact(reason));
  }

  BackupSummary summary(Result result) {
    if (result.exitCode != 0 && result.exitCode != 3) {
      throw failure("backup", result);
    }
    BackupSummary summary =
        ResticJson.findSummary(result.output.stdoutLines(), result.exitCode)
            .orElseThrow(
                () ->
                    new ResticException(
                        result.exitCode == 3 ? Kind.INCOMPLETE : Kind.FAILED,
                        result.exitCode,
                        "restic backup printed no summary: " + result.output.errorText()));
    Optional<String> vanished = ResticJson.vanishedLock(result.output.stderrLines());
    if (vanished.isPresent()) {
      throw ResticJson.repositoryVanished(summary, result.exitCode, vanished.get());
    }
    return summary;
  }

  ResticException failure(String what, Result result) {
    List<String> lines = result.output.stderrLines();
    Optional<String> unreachable = Unreachable.reason(lines);
    if (unreachable.isPresent()) {
      // before "no repository": restic 0.17+ exits 10 also when it could not ask the backend
      ResticException e = unreachable(unreachable.get());
      return new ResticException(e.kind(), result.exitCode, e.getMessage());
    }
    Kind kind = ResticExitCodes.classify(result.exitCode, lines);
    if (kind == Kind.NO_REPOSITORY) {
      ResticException unsafe = missing.notSafelyMissing(what, result);
      if (unsafe != null) {
        return unsafe;
      }
    }
    return new ResticException(
        kind,
        result.exitCode,
        "restic "
            + what
            + " failed ("
            + describe(kind)
            + ", exit "
            + result.exitCode
            + "): "
            + result.output.errorText());
  }

  static ResticException timeout(String what, Duration timeout, ResticOutput output) {
    return new ResticException(
        Kind.TIMEOUT,
        -1,
        "restic "
            + what
            + " ran past its timeout of "
            + Durations.format(timeout)
            + " and was interrupted: "
            + output.errorText());
  }

  private static String describe(Kind kind) {
    return switch (kind) {
      case NO_REPOSITORY -> "no repository at RESTIC_REPOSITORY";
      case DAMAGED -> "repository gone or damaged";
      case WRONG_PASSWORD -> "wrong password";
      case LOCKED -> "repository locked";
      case INCOMPLETE -> "some files could not be read";
      case TIMEOUT -> "timed out";
      case UNREACHABLE -> "backend unreachable";
      case FAILED -> "error";
    };
  }
}
