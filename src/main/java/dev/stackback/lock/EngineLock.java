package dev.stackback.lock;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One run per backup host on a Docker engine, whatever the {@code STATE_DIR}: a container named
 * after the host ({@link #name}), created (never started) when a run begins and removed when it
 * ends. The engine creates a name at most once, so creating it is the atomic "take"; a name
 * conflict means another run holds it. Its labels ({@link LockHolder}) say who holds it, so a lock
 * left by a killed run is recognised as stale and removed:
 *
 * <ul>
 *   <li>the holder ran in a container that is gone or not running: stale;
 *   <li>the holder ran in our realm (same boot and pid namespace): stale when its pid with its
 *       start time no longer exists;
 *   <li>the holder ran in another container that still runs: we look into its {@code /proc} with an
 *       exec; stale when the process is not there;
 *   <li>the holder ran on this host (same machine id and pid namespace) before its last reboot:
 *       stale;
 *   <li>the holder ran on a host and we do not (or on another host): we cannot see it; the lock
 *       counts as held until a stack-back on that host clears it, or it is removed by hand.
 * </ul>
 *
 * A stale lock is removed by its id (never by name), so two runs that both found it stale cannot
 * remove each other's new lock: the loser's create fails and it reports busy.
 */
public final class EngineLock implements AutoCloseable {
  private static final Duration PEEK_TIMEOUT = Duration.ofSeconds(10);
  private static final String GONE = "stack-back-no-such-process";

  private final Takeover.Store store;
  private final String id;
  private final String name;

  private EngineLock(Takeover.Store store, String id, String name) {
    this.store = store;
    this.id = id;
    this.name = name;
  }

  /** What {@link #acquire} got. */
  public sealed interface Result {}

  /** The lock is ours until {@link EngineLock#close()}. */
  public record Acquired(EngineLock lock) implements Result {}

  /** Another run holds it; {@code message} says who and what to do. */
  public record Busy(String message) implements Result {}

  /** Whether a lock's holder still runs, and why we think so. */
  sealed interface Verdict {
    String why();
  }

  record Alive(String why) implements Verdict {}

  record Dead(String why) implements Verdict {}

  record Unknown(String why) implements Verdict {}

  /**
   * The lock container's name for {@code host}: {@code stack-back-lock-<host>-<hash>}, the host
   * reduced to characters Docker allows in names, and 8 hex digits of its SHA-256 so that two hosts
   * that reduce alike still get different locks.
   */
  public static String name(String host) {
    return name(host, 40);
  }

  /** {@link #name(String)} with the host cut to {@code maxHost} characters. */
  static String name(String host, int maxHost) {
    String clean = host.replaceAll("[^a-zA-Z0-9_.-]", "-");
    if (clean.length() > maxHost) {
      clean = clean.substring(0, maxHost);
    }
    return "stack-back-lock-" + clean + "-" + sha256(host).substring(0, 8);
  }

  /**
   * Takes the lock for {@code me.host()} by creating its container from {@code image} (an image the
   * engine has: e.g. the one our own container runs); clears a stale lock on the way.
   */
  public static Result acquire(ContainerRuntime runtime, String image, LockHolder me) {
    String name = name(me.host());
    // engine locks are never-started containers
    Takeover.Store store =
        new Takeover.Store(
            "engine lock",
            "a container",
            "docker rm",
            (n, labels) -> runtime.createMarker(n, image, labels),
            n -> runtime.inspect(n).map(c -> Map.entry(c.id(), c.labels())),
            runtime::removeMarker);
    return switch (Takeover.take(
        store, name, me.labels(), LockHolder::fromLabels, h -> judge(runtime, h))) {
      case Takeover.Took t -> new Acquired(new EngineLock(store, t.id(), name));
      case Takeover.Busy b -> new Busy(b.message());
    };
  }

  /** Whether the holder of a lock still runs. */
  static Verdict judge(ContainerRuntime runtime, LockHolder h) {
    ProcessIdentity p = h.process();
    if (!h.container().isEmpty()) {
      Optional<ContainerInfo> c = runtime.inspect(h.container());
      if (c.isEmpty() || !c.get().running()) {
        return new Dead(
            "its container "
                + (h.name().isEmpty() ? h.container() : "'" + h.name() + "'")
                + (c.isEmpty() ? " is gone" : " is not running"));
      }
    }
    if (ProcessIdentity.sameRealm(p.realm())) {
      return ProcessIdentity.aliveHere(p.pid(), p.startTicks())
          ? new Alive("pid " + p.pid() + " runs")
          : new Dead("pid " + p.pid() + " has ended");
    }
    if (!h.container().isEmpty()) {
      return peek(runtime, h);
    }
    if (ProcessIdentity.earlierBootHere(p.realm())) {
      return new Dead("this host has rebooted since");
    }
    return new Unknown("it runs on a host whose processes this stack-back cannot see");
  }

  /** Looks for the holder's process in its container's {@code /proc}. */
  private static Verdict peek(ContainerRuntime runtime, LockHolder h) {
    long pid = h.process().pid();
    List<String> out = new ArrayList<>();
    try {
      ExecResult r =
          runtime.exec(
              new ExecRequest(
                  h.container(),
                  List.of("sh", "-c", "cat /proc/" + pid + "/stat 2>/dev/null || echo " + GONE),
                  null,
                  Map.of(),
                  PEEK_TIMEOUT),
              (stream, line) -> out.add(line));
      String text = String.join("\n", out);
      if (r.timedOut() || r.exitCode() != 0) {
        return new Unknown("cannot look into its container (exit " + r.exitCode() + ")");
      }
      if (text.contains(GONE)) {
        return new Dead("pid " + pid + " is not running in its container");
      }
      Optional<Long> ticks = ProcessIdentity.parseStartTicks(text);
      if (ticks.isEmpty()) {
        return new Unknown("cannot read pid " + pid + " in its container");
      }
      return ticks.get() == h.process().startTicks()
          ? new Alive("pid " + pid + " runs in its container")
          : new Dead("pid " + pid + " in its container is another process now");
    } catch (RuntimeException e) {
      return new Unknown("cannot look into its container: " + e.getMessage());
    }
  }

  /** Releases the lock; a failure is logged (the next run finds the lock stale). */
  @Override
  public void close() {
    Takeover.release(store, id, name);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)))
          .toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
