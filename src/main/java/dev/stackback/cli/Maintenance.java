package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.engine.ForgetReport;
import dev.stackback.port.OutputLine;
import dev.stackback.port.Restic;
import dev.stackback.state.RunLock;
import dev.stackback.util.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled maintenance ({@code MAINTENANCE_SCHEDULE}) and {@code cleanup}: forget our snapshots
 * per {@code RESTIC_KEEP_*} (only our host and the {@code stack-back} tag, grouped by host and
 * paths) and prune, under the run lock.
 */
final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.maintenance");

  private Maintenance() {}

  /** Scheduled maintenance: cleanup, then check. Returns 0, 1, or 5 when busy. */
  static int run(App app, Config config, PrintWriter out, PrintWriter err) {
    int code = cleanup(app, config, out, err);
    if (code != 0) {
      return code;
    }
    try {
      // restic's lines at DEBUG: the one line below says how it went (the `check` command shows
      // them)
      app.restic(config).check(Optional.empty(), (stream, line) -> LOG.debug("{}", line));
      LOG.info("check passed");
      return 0;
    } catch (RuntimeException e) {
      LOG.error("check failed: {}", e.getMessage());
      return 1;
    }
  }

  /**
   * forget + prune of our snapshots; 0, 1, or 5 when another run holds the run lock or the
   * engine-wide lock of our backup host.
   */
  static int cleanup(App app, Config config, PrintWriter out, PrintWriter err) {
    try (Session s = Session.connect(app, err)) {
      Optional<RunLock> lock = BackupRunner.tryLock(s, "maintenance", err);
      if (lock.isEmpty()) {
        err.println("maintenance skipped, try again later");
        err.flush();
        return BackupRunner.BUSY;
      }
      RunLock held = lock.get();
      try (held) {
        Restic restic = app.restic(config);
        String host = s.host();
        BackupRunner.sweepDeadWorkerLocks(s, restic, host);
        LOG.info("forget (host '{}', tag stack-back, {}) + prune", host, config.keep());
        long started = System.nanoTime();
        List<String> lines =
            restic.forget(host, "stack-back", config.keep(), true, (st, l) -> LOG.debug("{}", l));
        LOG.info(
            "maintenance: {} in {}",
            ForgetReport.describe(restic.summarizeForget(lines), lines),
            Durations.format(Duration.ofNanos(System.nanoTime() - started)));
        out.println("cleanup done for host '" + host + "'");
        out.flush();
        return 0;
      }
    } catch (Session.Exit e) {
      return e.code;
    } catch (RuntimeException e) {
      err.println("error: cleanup failed: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  static OutputLine log() {
    return (stream, line) -> LOG.info("{}", line);
  }
}
