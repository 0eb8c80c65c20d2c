package dev.stackback.lock;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who holds an engine-wide lock, as written in the labels of the lock container.
 *
 * @param host the backup host (restic {@code --host}) the lock is for
 * @param process the holding process (pid, start ticks, realm)
 * @param container id of the container the holder runs in, "" when it runs on a host
 * @param name a name for messages: that container's name, or the container it stands for
 * @param stateDir the holder's {@code STATE_DIR}
 * @param trigger what it runs: {@code manual}, {@code schedule}, {@code restore}, ...
 * @param startedAt when it took the lock
 */
public record LockHolder(
    String host,
    ProcessIdentity process,
    String container,
    String name,
    String stateDir,
    String trigger,
    Instant startedAt)
    implements Takeover.Holder {

  static final String PREFIX = "stack-back.lock";
  static final String HOST = PREFIX + ".host";
  static final String PID = PREFIX + ".pid";
  static final String PID_START = PREFIX + ".pid-start";
  static final String REALM = PREFIX + ".realm";
  static final String CONTAINER = PREFIX + ".container";
  static final String NAME = PREFIX + ".name";
  static final String STATE_DIR = PREFIX + ".state-dir";
  static final String TRIGGER = PREFIX + ".trigger";
  static final String STARTED = PREFIX + ".started";

  /** The labels of a lock container. */
  Map<String, String> labels() {
    Map<String, String> l = new LinkedHashMap<>();
    l.put(PREFIX, "true");
    l.put(HOST, host);
    l.put(PID, Long.toString(process.pid()));
    l.put(PID_START, Long.toString(process.startTicks()));
    l.put(REALM, process.realm());
    l.put(CONTAINER, container);
    l.put(NAME, name);
    l.put(STATE_DIR, stateDir);
    l.put(TRIGGER, trigger);
    l.put(STARTED, startedAt.toString());
    return l;
  }

  /** The holder a lock container's labels describe, empty when they are not ours. */
  static Optional<LockHolder> fromLabels(Map<String, String> l) {
    try {
      return Optional.of(
          new LockHolder(
              required(l, HOST),
              new ProcessIdentity(
                  Long.parseLong(required(l, PID)),
                  Long.parseLong(required(l, PID_START)),
                  required(l, REALM)),
              l.getOrDefault(CONTAINER, ""),
              l.getOrDefault(NAME, ""),
              l.getOrDefault(STATE_DIR, ""),
              l.getOrDefault(TRIGGER, ""),
              Instant.parse(required(l, STARTED))));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String required(Map<String, String> l, String key) {
    String v = l.get(key);
    if (v == null) {
      throw new IllegalArgumentException(key);
    }
    return v;
  }

  /** For messages: "a manual run (pid 42 in container 'x', STATE_DIR /state) since ...". */
  @Override
  public String describe() {
    String where =
        container.isEmpty()
            ? "on a host" + (name.isEmpty() ? "" : ", standing for container '" + name + "'")
            : "in container '" + (name.isEmpty() ? container : name) + "'";
    return "a "
        + (trigger.isEmpty() ? "" : trigger + " ")
        + "run (pid "
        + process.pid()
        + " "
        + where
        + ", STATE_DIR "
        + stateDir
        + ") since "
        + startedAt;
  }
}
