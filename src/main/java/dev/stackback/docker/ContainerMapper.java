package dev.stackback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Maps docker-java's inspect response to our {@link ContainerInfo}. */
final class ContainerMapper {

  private ContainerMapper() {}

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
      MountInfo.Type type = type(m);
      result.add(
          new MountInfo(
              type,
              type == MountInfo.Type.VOLUME ? m.getName() : null,
              m.getSource(),
              m.getDestination().getPath(),
              !isTrue(m.getRW())));
    }
    // the engine lists mounts in no stable order (a Go map): sort, so that two inspections of
    // one container give equal values and everything built from them is deterministic
    result.sort(Comparator.comparing(MountInfo::destination));
    return result;
  }

  /** docker-java's model lacks the mount's "Type"; it survives among the raw values. */
  private static MountInfo.Type type(InspectContainerResponse.Mount m) {
    Object raw = m.getRawValues().get("Type");
    if (raw instanceof String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "volume" -> MountInfo.Type.VOLUME;
        case "bind" -> MountInfo.Type.BIND;
        case "tmpfs" -> MountInfo.Type.TMPFS;
        default -> MountInfo.Type.OTHER;
      };
    }
    boolean named = m.getName() != null && !m.getName().isEmpty();
    return named ? MountInfo.Type.VOLUME : MountInfo.Type.BIND;
  }

  private static boolean isTrue(Boolean b) {
    return Boolean.TRUE.equals(b);
  }
}
