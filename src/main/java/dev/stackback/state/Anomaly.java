package dev.stackback.state;

/**
 * A dump or snapshot of a run that was much smaller or much slower than the same step usually is
 * (see {@code dev.stackback.history.AnomalyDetector}). A warning: it never changes the run's state
 * or exit code.
 *
 * @param type {@link #SMALLER} or {@link #SLOWER}
 * @param step the step's name, e.g. {@code dump db}
 * @param service the service it backed up
 * @param value this run's value: bytes read for {@code smaller}, milliseconds for {@code slower}
 * @param median the median of the same step over the previous runs it is compared with
 * @param priorRuns how many previous runs that median is over
 * @param message one line for people, e.g. {@code dump db read 1.2 KiB, 95% less than its median
 *     24.0 KiB over the previous 4 runs}
 */
public record Anomaly(
    String type,
    String step,
    String service,
    long value,
    long median,
    int priorRuns,
    String message) {
  /** A dump or snapshot that read much less data than usual. */
  public static final String SMALLER = "smaller";

  /** A dump or snapshot that took much longer than usual. */
  public static final String SLOWER = "slower";
}
