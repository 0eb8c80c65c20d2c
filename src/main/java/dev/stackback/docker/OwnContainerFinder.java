package dev.stackback.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the id of the container this process runs in, from what the kernel shows inside it. The
 * candidates come from {@code /proc/self/mountinfo} (the engine bind-mounts {@code /etc/hostname},
 * {@code /etc/hosts} and {@code /etc/resolv.conf} from the container's own directory), then {@code
 * /proc/self/cgroup} (v1 {@code /docker/<id>}, systemd {@code docker-<id>.scope}); the engine must
 * confirm a candidate. Last resort: the hostname, which Docker sets to the short id by default.
 */
final class OwnContainerFinder {

  /** Reads a small system file, or returns null when it cannot be read. */
  @FunctionalInterface
  interface FileSource {
    String read(String path);

    /** The real files of this process. */
    static FileSource system() {
      return path -> {
        try {
          return Files.readString(Path.of(path));
        } catch (IOException | RuntimeException e) {
          return null;
        }
      };
    }
  }

  private static final Pattern CONTAINER_DIR =
      Pattern.compile("/(?:docker/containers|overlay-containers)/([0-9a-f]{64})/");
  private static final Set<String> ENGINE_FILES =
      Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf");
  private static final Pattern CGROUP_ID =
      Pattern.compile(
          "(?:^|/)(?:docker-|cri-containerd-|crio-|libpod-)?([0-9a-f]{64})(?:\\.scope)?$");
  private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{12,64}");

  private final FileSource files;

  OwnContainerFinder(FileSource files) {
    this.files = files;
  }

  /**
   * The first candidate the engine knows, as the engine's full id.
   *
   * @param resolve maps an id, id prefix or name to the engine's full id, or empty
   */
  Optional<String> find(Function<String, Optional<String>> resolve) {
    for (String candidate : candidates()) {
      Optional<String> id = resolve.apply(candidate);
      if (id.isPresent()) {
        return id;
      }
    }
    return hostnameCandidate().flatMap(resolve);
  }

  /** Full ids from mountinfo, then cgroup, without duplicates. */
  Set<String> candidates() {
    Set<String> ids = new LinkedHashSet<>();
    ids.addAll(fromMountinfo(files.read("/proc/self/mountinfo")));
    ids.addAll(fromCgroup(files.read("/proc/self/cgroup")));
    return ids;
  }

  /** The hostname, when we seem to run in a container at all (or it looks like an id). */
  Optional<String> hostnameCandidate() {
    String hostname = trimmed(files.read("/etc/hostname"));
    if (hostname == null || hostname.isEmpty()) {
      return Optional.empty();
    }
    boolean inContainer = files.read("/.dockerenv") != null;
    return inContainer || HEX_ID.matcher(hostname).matches()
        ? Optional.of(hostname)
        : Optional.empty();
  }

  static Set<String> fromMountinfo(String mountinfo) {
    return collect(mountinfo, OwnContainerFinder::mountsEngineFile, CONTAINER_DIR);
  }

  static Set<String> fromCgroup(String cgroup) {
    Set<String> ids = new LinkedHashSet<>();
    if (cgroup == null) {
      return ids;
    }
    for (String line : cgroup.split("\n")) {
      // hierarchy-id:controllers:path (v2: "0::path")
      String[] parts = line.trim().split(":", 3);
      if (parts.length == 3) {
        Matcher m = CGROUP_ID.matcher(parts[2]);
        if (m.find()) {
          ids.add(m.group(1));
        }
      }
    }
    return ids;
  }

  /** Only the engine's own files count: a log shipper may mount all of /var/lib/docker. */
  private static boolean mountsEngineFile(String line) {
    String[] fields = line.split(" ");
    return fields.length > 4 && ENGINE_FILES.contains(fields[4]);
  }

  private static Set<String> collect(String text, Predicate<String> keep, Pattern pattern) {
    Set<String> ids = new LinkedHashSet<>();
    if (text == null) {
      return ids;
    }
    for (String line : text.split("\n")) {
      if (keep.test(line)) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          ids.add(m.group(1));
        }
      }
    }
    return ids;
  }

  private static String trimmed(String s) {
    return s == null ? null : s.trim();
  }
}
