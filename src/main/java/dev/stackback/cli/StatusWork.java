package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.config.ConfigLoader;
import dev.stackback.port.Snapshot;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * What {@code status} waits for, started at once and run side by side: restic's {@code snapshots}
 * (its start-up and key derivation are most of a status), the last run record, and Docker (connect,
 * find our container, list, plan). For {@code stack-back status [--json]}, {@link Main} starts it
 * before picocli builds the command line, so restic also overlaps that.
 */
final class StatusWork {
  private static final String THREAD = "stack-back-status";
  private static final AtomicReference<StatusWork> EARLY = new AtomicReference<>();
  private static final Set<List<String>> EARLY_ARGS =
      Set.of(List.of("status"), List.of("status", "--json"));

  private final App app;
  final CompletableFuture<List<Snapshot>> snapshots;
  final CompletableFuture<Optional<RunRecord>> last;
  private final PendingSession discovery;

  private StatusWork(App app, Config config) {
    this.app = app;
    // all snapshots with our tag: the host is only known once discovery found our project
    this.snapshots =
        background(() -> app.restic(config).snapshotsToShow(null, List.of("stack-back")));
    this.last = background(() -> new RunStore(config.stateDir()).latest());
    this.discovery = new PendingSession(THREAD, err -> Session.open(app, config, err));
  }

  /** Starts everything for {@code config}. */
  static StatusWork start(App app, Config config) {
    return new StatusWork(app, config);
  }

  /**
   * From {@link Main}: when {@code args} is a plain {@code status [--json]} and the configuration
   * is valid, starts the work for the command {@link #take takes} later. Anything else (invalid
   * configuration, help, unknown options) is left to the command, which reports it.
   */
  static void startEarly(App app, String[] args) {
    if (!EARLY_ARGS.contains(List.of(args))) {
      return;
    }
    ConfigLoader.Result r = ConfigLoader.load(app.env());
    if (r.config().isPresent()) {
      // SLF4J initialises on first use: here, before the work's threads log. A thread that asks
      // for a logger while another one initialises gets a stand-in (SubstituteLogger), and when
      // that thread is main, setting the levels (Logging) failed with a ClassCastException.
      LoggerFactory.getILoggerFactory();
      EARLY.set(new StatusWork(app, r.config().get()));
    }
  }

  /** The work {@link Main} started for {@code app}, else newly started for {@code config}. */
  static StatusWork take(App app, Config config) {
    StatusWork early = EARLY.getAndSet(null);
    return early != null && early.app == app ? early : start(app, config);
  }

  /**
   * The discovered session (close it), or {@link Session.Exit} after printing to {@code err} what
   * discovery reported (e.g. Docker unreachable, no own container).
   */
  Session session(PrintWriter err) {
    return discovery.join(err);
  }

  private static <T> CompletableFuture<T> background(Supplier<T> work) {
    return PendingSession.background(THREAD, work);
  }
}
