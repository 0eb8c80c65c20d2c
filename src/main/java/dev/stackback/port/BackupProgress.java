package dev.stackback.port;

import java.util.OptionalLong;

/**
 * One progress report of a running backup (restic's {@code status} line).
 *
 * @param percentDone 0 to 1; 0 while the total is unknown (a stdin backup)
 * @param bytesDone bytes read so far
 * @param totalBytes bytes to read in all; 0 when unknown (a stdin backup, a scan still running)
 * @param filesDone files read so far
 * @param totalFiles files to read in all; 0 when unknown
 * @param secondsElapsed seconds since the backup started
 * @param secondsRemaining restic's estimate, only when the total is known
 */
public record BackupProgress(
    double percentDone,
    long bytesDone,
    long totalBytes,
    long filesDone,
    long totalFiles,
    long secondsElapsed,
    OptionalLong secondsRemaining) {
  public BackupProgress {
    secondsRemaining = secondsRemaining == null ? OptionalLong.empty() : secondsRemaining;
  }
}
