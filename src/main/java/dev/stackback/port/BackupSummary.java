package dev.stackback.port;

import java.time.Duration;

/**
 * What restic's {@code summary} JSON line says about one backup.
 *
 * @param snapshotId the new snapshot's id (short or long, as restic prints it)
 * @param filesNew new files
 * @param filesChanged changed files
 * @param filesUnmodified unmodified files
 * @param dataAdded bytes added to the repository
 * @param totalBytesProcessed bytes read
 * @param duration restic's own duration
 * @param incomplete true when restic exited 3 (some source files could not be read)
 */
public record BackupSummary(
    String snapshotId,
    long filesNew,
    long filesChanged,
    long filesUnmodified,
    long dataAdded,
    long totalBytesProcessed,
    Duration duration,
    boolean incomplete) {

  /**
   * The id as people read it: restic's 8-character short form (restic 0.14 prints only that, 0.17+
   * the full 64 characters).
   */
  public String shortId() {
    return snapshotId == null || snapshotId.length() <= 8 ? snapshotId : snapshotId.substring(0, 8);
  }
}
