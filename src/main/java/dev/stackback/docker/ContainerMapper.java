package dev.stackback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ContainerMount;
import dev.stackback.label.LabelKeys;
import dev.stackback.plan.DatabaseDetector;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps docker-java's inspect and list responses to our {@link ContainerInfo}, and decides which
 * listed containers must be inspected.
 */
final class ContainerMapper {

  private ContainerMapper() {}

  /**
   * Whether the planner may need what only an inspect gives: the environment (read for database
   * dumps: {@code POSTGRES_DB}, {@code PGDATA}) and the image reference the container was created
   * from. A dump is planned only for a container with a database label (any {@code stack-back.} or
   * {@code restic-compose-backup.} label is inspected) or, under {@code AUTO_BACKUP_ALL}, for a
   * database image. The list response names the image as created, unless that tag now points to
   * another image: then it gives the image id, and we cannot tell, so we inspect. Everything else
   * the planner reads (labels, state, mounts, names, image id) is in the list response.
   */
  static boolean needsInspect(Container c) {
    Map<String, String> labels = c.getLabels();
    if (labels != null
        && labels.keySet().stream()
            .anyMatch(
                k -> k.startsWith(LabelKeys.PREFIX) || k.startsWith(LabelKeys.LEGACY_PREFIX))) {
      return true;
    }
    String image = c.getImage();
    if (c.getState() == null
        || c.getMounts() == null
        || primaryName(c.getNames()) == null
        || image == null
        || image.isBlank()
        || image.startsWith("sha256:")
        || image.equals(c.getImageId())) {
      return true;
    }
    return DatabaseDetector.detect(image).isPresent();
  }

  /** A container from the list response (no env: see {@link #needsInspect}). */
  static ContainerInfo fromList(Container c) {
    List<MountInfo> mounts = new ArrayList<>();
    if (c.getMounts() != null) {
      for (ContainerMount m : c.getMounts()) {
        if (m.getDestination() != null) {
          mounts.add(
              mount(
                  m.getRawValues().get("Type"),
                  m.getName(),
                  m.getSource(),
                  m.getDestination(),
                  m.getRw()));
        }
      }
    }
    mounts.sort(Comparator.comparing(MountInfo::destination));
    return new ContainerInfo(
        c.getId(),
        primaryName(c.getNames()),
        c.getImage(),
        c.getLabels(),
        Map.of(),
        mounts,
        "running".equals(c.getState()),
        c.getState(),
        c.getImageId());
  }

  /**
   * The container's own name: the list gives every name it is reachable by, including legacy links
   * ({@code /other/alias}); its own is the one with a single slash.
   */
  static String primaryName(String[] names) {
    if (names == null) {
      return null;
    }
    for (String n : names) {
      if (n != null && n.lastIndexOf('/') <= 0) {
        return n;
      }
    }
    return null;
  }

  static ContainerInfo toInfo(InspectContainerResponse c) {
    ContainerConfig config = c.getConfig();
    InspectContainerResponse.ContainerState state = c.getState();
    boolean running =
        state != null
            && isTrue(state.getRunning())
            && !isTrue(state.getPaused())
            && !isTrue(state.getRestarting());
    return new ContainerInfo(
        c.getId(),
        c.getName(),
        config == null ? null : config.getImage(),
        config == null ? null : config.getLabels(),
        config == null ? null : parseEnv(config.getEnv()),
        mounts(c.getMounts()),
        running,
        state == null ? null : state.getStatus(),
        c.getImageId());
  }

  /** {@code NAME=value} entries to a map; a later duplicate wins, as in the container. */
  static Map<String, String> parseEnv(String[] env) {
    Map<String, String> map = new LinkedHashMap<>();
    if (env == null) {
      return map;
    }
    for (String entry : env) {
      int eq = entry.indexOf('=');
      if (eq < 0) {
        map.put(entry, "");
      } else if (eq > 0) {
        map.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return map;
  }

  static List<MountInfo> mounts(List<InspectContainerResponse.Mount> mounts) {
    List<MountInfo> result = new ArrayList<>();
    if (mounts == null) {
      return result;
    }
    for (InspectContainerResponse.Mount m : mounts) {
      if (m.getDestination() == null || m.getDestination().getPath() == null) {
        continue;
      }
      result.add(
          mount(
              m.getRawValues().get("Type"),
              m.getName(),
              m.getSource(),
              m.getDestination().getPath(),
              m.getRW()));
    }
    // the engine lists mounts in no stable order (a Go map): sort, so that two inspections of
    // one container give equal values and everything built from them is deterministic
    result.sort(Comparator.comparing(MountInfo::destination));
    return result;
  }

  static MountInfo mount(
      Object rawType, String name, String source, String destination, Boolean rw) {
    MountInfo.Type type = type(rawType, name);
    return new MountInfo(
        type, type == MountInfo.Type.VOLUME ? name : null, source, destination, !isTrue(rw));
  }

  /** docker-java's models lack the mount's "Type"; it survives among the raw values. */
  private static MountInfo.Type type(Object raw, String name) {
    if (raw instanceof String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "volume" -> MountInfo.Type.VOLUME;
        case "bind" -> MountInfo.Type.BIND;
        case "tmpfs" -> MountInfo.Type.TMPFS;
        default -> MountInfo.Type.OTHER;
      };
    }
    boolean named = name != null && !name.isEmpty();
    return named ? MountInfo.Type.VOLUME : MountInfo.Type.BIND;
  }

  private static boolean isTrue(Boolean b) {
    return Boolean.TRUE.equals(b);
  }
}
