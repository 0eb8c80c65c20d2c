package dev.stackback.engine;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.MountInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The restic environment of a worker container. A worker has the stack-back container's volume and
 * bind mounts, not what Docker puts there otherwise: a swarm secret ({@code /run/secrets/...}, the
 * way to give a swarm service its password), a swarm config, a tmpfs. So {@code
 * RESTIC_PASSWORD_FILE} naming a file outside those mounts would make every restic in a worker fail
 * with "Resolving password failed: ... does not exist" after its container was stopped; the worker
 * gets {@code RESTIC_PASSWORD} with the file's content instead (read here, where stack-back reads
 * it, trimmed as restic trims it). A file on a shared mount stays a file.
 */
final class WorkerEnv {
  static final String PASSWORD_FILE = "RESTIC_PASSWORD_FILE";
  static final String PASSWORD = "RESTIC_PASSWORD";

  private WorkerEnv() {}

  /** {@code env} for a worker of {@code self} (the stack-back container whose mounts it gets). */
  static Map<String, String> of(Map<String, String> env, ContainerInfo self) {
    return of(env, self, WorkerEnv::read);
  }

  static Map<String, String> of(
      Map<String, String> env, ContainerInfo self, Function<Path, String> read) {
    String file = env.get(PASSWORD_FILE);
    if (file == null || file.isBlank() || sharedWithWorkers(self, file)) {
      return env;
    }
    Map<String, String> out = new LinkedHashMap<>(env);
    out.remove(PASSWORD_FILE);
    out.put(PASSWORD, read.apply(Path.of(file)).strip());
    return Map.copyOf(out);
  }

  /**
   * Whether restic with {@code env} needs no network: the repository is a path ({@code /...} or
   * {@code local:...}: a volume or bind mount the worker gets) and no {@code
   * RESTIC_PASSWORD_COMMAND} (which may ask a service) or {@code RESTIC_REPOSITORY_FILE} (a
   * repository we do not see) is set.
   */
  static boolean offline(Map<String, String> env) {
    String repository = env.get("RESTIC_REPOSITORY");
    if (repository == null
        || env.containsKey("RESTIC_PASSWORD_COMMAND")
        || env.containsKey("RESTIC_REPOSITORY_FILE")) {
      return false;
    }
    String r = repository.strip();
    return r.startsWith("/") || r.startsWith("local:/");
  }

  /** Whether {@code path} lies on a volume or bind mount of {@code self} (a worker gets those). */
  static boolean sharedWithWorkers(ContainerInfo self, String path) {
    Path p = Path.of(path).normalize();
    for (MountInfo m : self.mounts()) {
      if ((m.type() == MountInfo.Type.VOLUME || m.type() == MountInfo.Type.BIND)
          && !m.isDockerSocket()
          && p.startsWith(Path.of(m.destination()).normalize())) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read RESTIC_PASSWORD_FILE " + file + " for the worker container", e);
    }
  }
}
