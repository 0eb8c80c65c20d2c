package dev.stackback.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who a process is, in a form another stack-back can check later: its pid, its start time in clock
 * ticks since boot ({@code /proc/<pid>/stat} field 22, so a reused pid is told apart), and its
 * realm: the machine, the kernel boot and the pid namespace it lives in. Two processes of one realm
 * can look at each other's {@code /proc}; a process of another realm cannot.
 *
 * @param pid the process id, as seen in its realm
 * @param startTicks its start time ({@code /proc/<pid>/stat} field 22), -1 when unknown
 * @param realm {@code <machine id>/<boot id>/<pid namespace>} (machine id "" when there is no
 *     {@code /etc/machine-id}), or "unknown" without {@code /proc}
 */
public record ProcessIdentity(long pid, long startTicks, String realm) {
  static final String UNKNOWN = "unknown";

  /** This JVM. */
  public static ProcessIdentity current() {
    long pid = ProcessHandle.current().pid();
    return new ProcessIdentity(pid, startTicks(pid).orElse(-1L), currentRealm());
  }

  /** Whether {@code realm} is this process's realm (and a known one). */
  static boolean sameRealm(String realm) {
    String mine = currentRealm();
    return !UNKNOWN.equals(mine) && mine.equals(realm);
  }

  /**
   * Whether {@code realm} is this machine's and this pid namespace's, but of an earlier boot: every
   * process of it has ended. Only said when the machine id is known.
   */
  static boolean earlierBootHere(String realm) {
    String[] theirs = realm.split("/", 3);
    String[] mine = currentRealm().split("/", 3);
    return theirs.length == 3
        && mine.length == 3
        && !mine[0].isEmpty()
        && theirs[0].equals(mine[0])
        && theirs[2].equals(mine[2])
        && !theirs[1].equals(mine[1]);
  }

  /** Whether the process {@code pid} of this realm that started at {@code startTicks} lives. */
  static boolean aliveHere(long pid, long startTicks) {
    return startTicks(pid).map(t -> t == startTicks).orElse(false);
  }

  /** The start ticks of a process of this realm, empty when there is no such process. */
  static Optional<Long> startTicks(long pid) {
    try {
      return parseStartTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Field 22 of a {@code /proc/<pid>/stat} line. The command name (field 2) is in parentheses and
   * may hold blanks and parentheses itself, so fields are counted after the last ')'.
   */
  static Optional<Long> parseStartTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] rest = stat.substring(close + 1).trim().split("\\s+");
    // rest[0] is field 3 (state): field 22 is rest[19]
    if (rest.length < 20) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(rest[19]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String machineId() {
    try {
      return Files.readString(Path.of("/etc/machine-id")).trim().replace("/", "");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String currentRealm() {
    try {
      String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
      String pidns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      return machineId() + "/" + boot + "/" + pidns;
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }
}
