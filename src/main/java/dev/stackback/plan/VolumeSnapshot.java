package dev.stackback.plan;

import dev.stackback.port.MountInfo;

/**
 * One mount of a target and the path it gets in the snapshot.
 *
 * @param mount the target's mount
 * @param snapshotPath {@code /volumes[/<project>]/<service>/<destination>}
 */
public record VolumeSnapshot(MountInfo mount, String snapshotPath) {}
