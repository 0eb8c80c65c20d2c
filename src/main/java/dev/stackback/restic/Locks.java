package dev.stackback.restic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stackback.port.Restic;
import dev.stackback.port.ResticException;
import dev.stackback.port.ResticException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repository locks: removing the stale ones, waiting (bounded) for live ones where restic can, and
 * saying whose a lock is when it stays.
 *
 * <p>Only {@code restic unlock} without {@code --remove-all} is ever run: restic then removes a
 * lock only when it is older than 30 minutes (a live restic refreshes its lock every 5 minutes) or
 * when it was made on this hostname by a process that no longer exists. A lock of a live process,
 * or a fresh one from another machine or container, is never touched.
 */
final class Locks {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.restic");

  /** How long restic 0.16+ waits for a lock held by another process ({@code --retry-lock}). */
  static final Duration WAIT = Duration.ofMinutes(2);

  private static final Duration UNLOCK_TIMEOUT = Duration.ofMinutes(2);
  private static final int DESCRIBED = 5;
  private static final int LISTED = 50;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> NO_LOCK = Set.of("unlock", "version", "init", "list");

  private final ResticCli cli;
  // null until asked; then the version, or empty when restic did not say
  private volatile Optional<ResticVersion> version;

  Locks(ResticCli cli) {
    this.cli = cli;
  }

  /** True when the command takes a repository lock (so a lock failure is possible). */
  static boolean takesLock(List<String> args) {
    return args.size() > 1 && !NO_LOCK.contains(args.get(1)) && !args.contains(ResticArgs.NO_LOCK);
  }

  /** {@code restic version}, asked once; empty when it cannot be read. */
  Optional<ResticVersion> version() {
    Optional<ResticVersion> known = version;
    if (known == null) {
      Optional<ResticVersion> found;
      try {
        ResticCli.Result r = cli.runQuietly(ResticArgs.version(), Duration.ofSeconds(30));
        found =
            r.exitCode() == 0
                ? ResticVersion.parse(String.join("\n", r.output().stdoutLines()))
                : Optional.empty();
      } catch (ResticException e) {
        found = Optional.empty();
      }
      found.ifPresentOrElse(
          v -> LOG.debug("restic version {}", v),
          () -> LOG.warn("cannot tell restic's version: lock waits are not bounded (needs 0.16+)"));
      version = found;
      known = found;
    }
    return known;
  }

  /** {@code restic unlock}: removes stale locks only. Best effort; logs what restic said. */
  void removeStale() {
    try {
      ResticCli.Result r = cli.runQuietly(ResticArgs.unlock(), UNLOCK_TIMEOUT);
      String said = String.join(" ", r.output().stdoutLines()).strip();
      if (r.exitCode() == 0) {
        LOG.info("restic unlock (stale locks only): {}", said.isEmpty() ? "done" : said);
      } else {
        LOG.warn("restic unlock failed (exit {}): {}", r.exitCode(), r.output().errorText());
      }
    } catch (ResticException e) {
      LOG.warn("restic unlock failed: {}", e.getMessage());
    }
  }

  /** {@code args} with a bounded wait for the lock, where this restic has one. */
  List<String> withWait(List<String> args) {
    return cli.version().map(ResticVersion::retriesLocks).orElse(false)
        ? ResticArgs.withRetryLock(args, WAIT)
        : args;
  }

  /** The failure for a lock that stayed after the stale ones were removed (and, 0.16+, a wait). */
  ResticException stillLocked(String what, ResticCli.Result result) {
    Optional<ResticVersion> v = cli.version();
    boolean waited = v.map(ResticVersion::retriesLocks).orElse(false);
    String holders = describeLocks();
    return new ResticException(
        Kind.LOCKED,
        result.exitCode(),
        "restic "
            + what
            + " failed (repository locked, exit "
            + result.exitCode()
            + "): "
            + result.output().errorText()
            + (holders.isEmpty() ? "" : "; locks: " + holders)
            + "; stack-back removed the stale locks (restic unlock)"
            + (waited
                ? " and waited " + Durations.text(WAIT)
                : " but restic "
                    + v.map(ResticVersion::toString).orElse("(unknown version)")
                    + " cannot wait for a lock (0.16+ can)")
            + ". The lock belongs to a restic that is still running, or that ran on another"
            + " machine or container less than 30 minutes ago: wait until it ends (restic"
            + " removes a dead process's lock after 30 minutes), or, only if no restic uses this"
            + " repository any more, run `restic unlock --remove-all`");
  }

  /** The locks in the repository (at most {@link #LISTED} read); empty when they cannot be read. */
  List<Restic.LockInfo> list() {
    ResticCli.Result list = cli.runQuietly(ResticArgs.listLocksNoLock(), Duration.ofSeconds(60));
    if (list.exitCode() != 0) {
      return List.of();
    }
    List<String> ids = ids(list);
    List<Restic.LockInfo> out = new ArrayList<>();
    for (String id : ids.subList(0, Math.min(LISTED, ids.size()))) {
      ResticCli.Result cat = cli.runQuietly(ResticArgs.catLock(id), Duration.ofSeconds(60));
      if (cat.exitCode() == 0) {
        info(id, String.join("\n", cat.output().stdoutLines())).ifPresent(out::add);
      }
    }
    return out;
  }

  private static List<String> ids(ResticCli.Result list) {
    return list.output().stdoutLines().stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** A lock's hostname, pid and kind from its JSON; empty when unreadable. */
  static Optional<Restic.LockInfo> info(String id, String json) {
    try {
      JsonNode n = JSON.readTree(json.substring(Math.max(0, json.indexOf('{'))));
      if (!n.hasNonNull("hostname") || !n.path("pid").canConvertToLong()) {
        return Optional.empty();
      }
      return Optional.of(
          new Restic.LockInfo(
              id,
              n.path("hostname").asText(),
              n.path("pid").asLong(),
              n.path("exclusive").asBoolean()));
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The locks in the repository: {@code id (exclusive, host h, pid p, created 3m ago)}. */
  String describeLocks() {
    try {
      ResticCli.Result list = cli.runQuietly(ResticArgs.listLocksNoLock(), Duration.ofSeconds(60));
      if (list.exitCode() != 0) {
        return "";
      }
      List<String> ids =
          list.output().stdoutLines().stream()
              .map(String::strip)
              .filter(l -> !l.isEmpty())
              .toList();
      List<String> out = new ArrayList<>();
      for (String id : ids.subList(0, Math.min(DESCRIBED, ids.size()))) {
        ResticCli.Result cat = cli.runQuietly(ResticArgs.catLock(id), Duration.ofSeconds(60));
        out.add(
            id.substring(0, Math.min(8, id.length()))
                + (cat.exitCode() == 0
                    ? " (" + describe(String.join("\n", cat.output().stdoutLines())) + ")"
                    : ""));
      }
      if (ids.size() > DESCRIBED) {
        out.add((ids.size() - DESCRIBED) + " more");
      }
      return String.join(", ", out);
    } catch (ResticException e) {
      return "";
    }
  }

  /** {@code exclusive, host h, pid 12, user u, created 2m10s ago} from a lock's JSON. */
  static String describe(String json) {
    try {
      JsonNode n = JSON.readTree(json.substring(Math.max(0, json.indexOf('{'))));
      StringBuilder b = new StringBuilder(n.path("exclusive").asBoolean() ? "exclusive" : "shared");
      b.append(", host ").append(n.path("hostname").asText("?"));
      b.append(", pid ").append(n.path("pid").asText("?"));
      if (n.hasNonNull("username")) {
        b.append(", user ").append(n.path("username").asText());
      }
      String time = n.path("time").asText("");
      try {
        Duration age = Duration.between(Instant.parse(time), Instant.now());
        b.append(", created ").append(Durations.text(age)).append(" ago");
      } catch (DateTimeParseException e) {
        b.append(", created ").append(time);
      }
      return b.toString();
    } catch (JsonProcessingException | RuntimeException e) {
      return "unreadable";
    }
  }

  /** Short durations for messages: {@code 2m}, {@code 1m10s}, {@code 45s}. */
  static final class Durations {
    private Durations() {}

    static String text(Duration d) {
      long s = Math.max(0, d.toSeconds());
      if (s >= 3600) {
        return (s / 3600) + "h" + ((s % 3600) / 60 > 0 ? ((s % 3600) / 60) + "m" : "");
      }
      if (s >= 60) {
        return (s / 60) + "m" + (s % 60 > 0 ? (s % 60) + "s" : "");
      }
      return s + "s";
    }
  }
}
