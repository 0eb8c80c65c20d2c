package dev.stackback.engine;

import dev.stackback.state.RunRecord;

/**
 * The outcome of one run: its record and the exit code of SPEC 7.
 *
 * @param record the final run record
 * @param exitCode 0 ok, 1 failed, 3 a snapshot incomplete, 4 a container could not be restarted
 */
public record RunReport(RunRecord record, int exitCode) {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int INCOMPLETE = 3;
  public static final int RESTART_FAILED = 4;
}
