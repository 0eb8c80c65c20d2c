package dev.stackback.cli;

import dev.stackback.engine.RunReport;
import dev.stackback.history.AnomalyDetector;
import dev.stackback.history.Thresholds;
import dev.stackback.state.Anomaly;
import dev.stackback.state.RunRecord;
import dev.stackback.state.RunStore;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a backup run has ended: its dumps and snapshots that were much smaller or slower than usual
 * ({@link AnomalyDetector}) go into its record (saved again), and are logged as warnings, before it
 * is notified. Never changes the run's state or exit code, and never fails it: an analysis that
 * goes wrong is logged and the record is left as it was.
 */
final class RunAnomalies {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.run");

  /**
   * How many recent records are read for the history: {@link AnomalyDetector#WINDOW} successful
   * runs, with room for the failed and skipped (paused) ones between them.
   */
  static final int RECORDS = 10 * AnomalyDetector.WINDOW;

  private RunAnomalies() {}

  /** {@code report} with the anomalies of its run, saved in {@code store}. */
  static RunReport annotate(RunStore store, RunReport report, Thresholds thresholds) {
    RunRecord r = report.record();
    try {
      List<Anomaly> found = AnomalyDetector.detect(r, store.recent(RECORDS), thresholds);
      if (found.isEmpty()) {
        return report;
      }
      found.forEach(a -> LOG.warn("anomaly in run {}: {}", r.id(), a.message()));
      RunRecord annotated = r.withAnomalies(found);
      store.save(annotated);
      return new RunReport(annotated, report.exitCode());
    } catch (RuntimeException e) {
      LOG.error("cannot look for anomalies in run {}: {}", r.id(), e.toString());
      return report;
    }
  }
}
