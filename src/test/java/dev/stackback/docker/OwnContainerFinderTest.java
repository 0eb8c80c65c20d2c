package dev.stackback.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OwnContainerFinderTest {

  private static final String ID =
      "3f4e1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
  private static final String OTHER =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

  private static final String MOUNTINFO =
      """
      1021 963 0:112 / / rw,relatime master:512 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X
      1025 1021 254:1 /var/lib/docker/containers/%1$s/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
      1026 1021 254:1 /var/lib/docker/containers/%1$s/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw
      1027 1021 254:1 /var/lib/docker/containers/%1$s/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw
      """
          .formatted(ID);

  private final Map<String, String> files = new HashMap<>();
  private final OwnContainerFinder finder = new OwnContainerFinder(files::get);

  @Test
  void mountinfo_yieldsIdOfEtcHostname() {
    assertEquals(Set.of(ID), OwnContainerFinder.fromMountinfo(MOUNTINFO));
  }

  @Test
  void mountinfo_ignoresOtherContainersDirectoriesMountedElsewhere() {
    String logShipper =
        "2000 1021 254:1 /var/lib/docker/containers/%s/ /logs/x ro - ext4 /dev/vda1 rw\n"
            .formatted(OTHER);
    assertEquals(Set.of(), OwnContainerFinder.fromMountinfo(logShipper));
    assertEquals(
        List.of(ID), List.copyOf(OwnContainerFinder.fromMountinfo(logShipper + MOUNTINFO)));
  }

  @Test
  void mountinfo_podmanLayout() {
    String line =
        "900 800 0:50 /containers/storage/overlay-containers/%s/userdata/hostname /etc/hostname rw - tmpfs tmpfs rw\n"
            .formatted(ID);
    assertEquals(Set.of(ID), OwnContainerFinder.fromMountinfo(line));
  }

  @Test
  void cgroupV1_dockerPath() {
    String cgroup =
        """
        12:memory:/docker/%1$s
        11:cpu,cpuacct:/docker/%1$s
        1:name=systemd:/docker/%1$s
        """
            .formatted(ID);
    assertEquals(Set.of(ID), OwnContainerFinder.fromCgroup(cgroup));
  }

  @Test
  void cgroupV2_systemdScope() {
    assertEquals(
        Set.of(ID),
        OwnContainerFinder.fromCgroup("0::/system.slice/docker-%s.scope\n".formatted(ID)));
  }

  @Test
  void cgroupV2_privateNamespace_yieldsNothing() {
    assertEquals(Set.of(), OwnContainerFinder.fromCgroup("0::/\n"));
  }

  @Test
  void find_prefersMountinfo_andNeedsEngineConfirmation() {
    files.put("/proc/self/mountinfo", MOUNTINFO);
    files.put("/proc/self/cgroup", "0::/system.slice/docker-%s.scope\n".formatted(OTHER));
    assertEquals(Optional.of(ID), finder.find(c -> Optional.of(c).filter(ID::equals)));
    assertEquals(Optional.of(OTHER), finder.find(c -> Optional.of(c).filter(OTHER::equals)));
    assertEquals(Optional.empty(), finder.find(c -> Optional.empty()));
  }

  @Test
  void find_fallsBackToHostname_whenInAContainer() {
    files.put("/proc/self/cgroup", "0::/\n");
    files.put("/etc/hostname", "backup-sidecar\n");
    files.put("/.dockerenv", "");
    Map<String, String> engine = Map.of("backup-sidecar", ID);
    assertEquals(Optional.of(ID), finder.find(c -> Optional.ofNullable(engine.get(c))));
  }

  @Test
  void find_hostnameOfAPlainHost_isNotTried() {
    files.put("/etc/hostname", "backup-sidecar\n");
    assertEquals(Optional.empty(), finder.find(c -> Optional.of(ID)));
  }

  @Test
  void find_hostnameThatLooksLikeShortId_isTriedWithoutDockerenv() {
    files.put("/etc/hostname", ID.substring(0, 12) + "\n");
    assertEquals(
        Optional.of(ID), finder.find(c -> ID.startsWith(c) ? Optional.of(ID) : Optional.empty()));
  }
}
