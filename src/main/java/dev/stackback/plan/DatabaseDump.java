package dev.stackback.plan;

import dev.stackback.label.DatabaseKind;

/**
 * A database dump of a target, streamed into one snapshot.
 *
 * @param kind postgres, mysql or mariadb
 * @param allDatabases {@code pg_dumpall} (postgres), always true for MySQL/MariaDB
 * @param snapshotPath {@code /databases[/<project>]/<service>/<file>}
 * @param detectedBy "label 'stack-back.postgres'" or "image 'postgres:16' (AUTO_BACKUP_ALL)"
 */
public record DatabaseDump(
    DatabaseKind kind, boolean allDatabases, String snapshotPath, String detectedBy) {}
