package dev.stackback.engine.fakes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one ordered list of calls that the fakes of all three ports write to ("exec web sh -c echo
 * pre", "stop web", "restic forget", ...), plus what each call should answer. Thread-safe: async
 * hooks write from their own thread.
 */
public final class Journal {
  private final List<String> entries = new ArrayList<>();
  private final Map<String, Script> scripts = new HashMap<>();

  /** The script for calls whose journal line is exactly {@code line}; created on first use. */
  public synchronized Script on(String line) {
    return scripts.computeIfAbsent(line, l -> new Script());
  }

  /** Adds a line that is not a port call (e.g. a backoff wait). */
  public void add(String line) {
    synchronized (this) {
      entries.add(line);
      notifyAll();
    }
  }

  /**
   * Records a call: runs the script's "before" actions, appends the line, takes the next reply,
   * runs the "after" actions. Actions run outside the lock so that they may block.
   */
  Script.Reply call(String line) {
    Script s;
    synchronized (this) {
      s = scripts.get(line);
    }
    if (s != null) {
      s.runBefore();
    }
    add(line);
    if (s == null) {
      return Script.Reply.OK;
    }
    Script.Reply r = s.next();
    s.runAfter();
    return r;
  }

  /** A copy of every line so far, in order. */
  public synchronized List<String> entries() {
    return List.copyOf(entries);
  }

  /** Waits until {@code line} is in the journal; fails after {@code timeout}. */
  public synchronized void awaitEntry(String line, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!entries.contains(line)) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("'" + line + "' never appeared; journal: " + entries);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
