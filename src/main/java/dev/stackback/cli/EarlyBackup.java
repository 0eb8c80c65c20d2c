package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.port.Restic;
import dev.stackback.state.PauseFile;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a plain {@code backup} starts before picocli builds the command line (issue 8): the
 * repository check's restic, whose start-up and key derivation are the longest thing before the
 * first snapshot, and the connection to Docker (client, our own container). The daemon's scheduled
 * runs are such a command line ({@code backup --trigger=schedule}), as is {@code docker exec
 * <sidecar> stack-back backup}. {@link BackupCommand} {@link #take takes} it, or {@link #discard
 * discards} it when it does not run (a pause began meanwhile). Anything else (options, an invalid
 * configuration, a scheduled run while paused) starts nothing here and is left to the command.
 */
final class EarlyBackup {
  private static final AtomicReference<EarlyBackup> EARLY = new AtomicReference<>();
  private static final Set<List<String>> MANUAL =
      Set.of(
          List.of("backup"),
          List.of("backup", "--trigger=manual"),
          List.of("backup", "--trigger", "manual"));
  private static final Set<List<String>> SCHEDULED =
      Set.of(List.of("backup", "--trigger=schedule"), List.of("backup", "--trigger", "schedule"));

  private final App app;
  final Restic restic;
  final Restic.Prefetch check;
  private final PendingSession session;

  private EarlyBackup(App app, Config config) {
    this.app = app;
    this.restic = app.restic(config);
    this.check = restic.prefetchRepositoryCheck();
    this.session =
        new PendingSession("stack-back-connect", err -> Session.connect(app, config, err));
  }

  /** From {@link Main}: starts the work when {@code args} is a plain backup that would run now. */
  static void start(App app, String[] args) {
    List<String> line = List.of(args);
    boolean scheduled = SCHEDULED.contains(line);
    if (!scheduled && !MANUAL.contains(line)) {
      return;
    }
    Optional<Config> config = ConfigLoader.load(app.env()).config();
    if (config.isEmpty()
        || scheduled && new PauseFile(config.get().stateDir()).paused(app.clock().instant())) {
      return;
    }
    // SLF4J initialises here, before the threads log (see StatusWork.startEarly), at LOG_LEVEL
    Logging.configure(config.get());
    EARLY.set(new EarlyBackup(app, config.get()));
  }

  /**
   * The work {@link Main} started for {@code app}, else started now for {@code config} (as {@link
   * StatusWork#take} does); the caller closes the session and the check.
   */
  static EarlyBackup take(App app, Config config) {
    EarlyBackup early = EARLY.getAndSet(null);
    if (early != null && early.app == app) {
      return early;
    }
    if (early != null) {
      early.close();
    }
    return new EarlyBackup(app, config);
  }

  /** Whether work started for {@code app} waits to be taken. */
  static boolean waiting(App app) {
    EarlyBackup early = EARLY.get();
    return early != null && early.app == app;
  }

  /** Ends work started for {@code app} and not taken: the session closed, restic awaited. */
  static void discard(App app) {
    EarlyBackup early = EARLY.getAndSet(null);
    if (early != null) {
      early.close();
    }
  }

  /** The session, or {@link Session.Exit} after printing what connecting reported. */
  Session session(PrintWriter err) {
    return session.join(err);
  }

  private void close() {
    session.discard();
    check.close();
  }
}
