package dev.stackback.engine.fakes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What one kind of call answers, in order: each call takes the next reply, the last one repeats.
 * Without replies a call succeeds (exit 0, a complete snapshot). Actions run on every call.
 */
public final class Script {
  /** Something a test runs inside a call (cancel the run, wait for a latch, read the store). */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  /** One answer: an exit code or timeout for commands, an exception, an incomplete snapshot. */
  record Reply(int exitCode, boolean timedOut, RuntimeException error, boolean incomplete) {
    static final Reply OK = new Reply(0, false, null, false);

    void throwIfError() {
      if (error != null) {
        throw error;
      }
    }
  }

  private final Deque<Reply> replies = new ArrayDeque<>();
  private final List<Action> before = new ArrayList<>();
  private final List<Action> after = new ArrayList<>();

  Script() {}

  /** Exit codes of successive calls (commands, dumps, workers). */
  public synchronized Script exits(int... codes) {
    for (int c : codes) {
      replies.add(new Reply(c, false, null, false));
    }
    return this;
  }

  /** The next call runs past its timeout and is killed. */
  public synchronized Script timesOut() {
    replies.add(new Reply(-1, true, null, false));
    return this;
  }

  /** The next call throws {@code e}. */
  public synchronized Script throwing(RuntimeException e) {
    replies.add(new Reply(0, false, e, false));
    return this;
  }

  /** The next restic backup reports a snapshot with unreadable files (restic exit 3). */
  public synchronized Script incomplete() {
    replies.add(new Reply(0, false, null, true));
    return this;
  }

  /** Runs {@code a} at every call, before it is journaled. */
  public synchronized Script before(Action a) {
    before.add(a);
    return this;
  }

  /** Runs {@code a} at every call, after it is journaled and before it returns. */
  public synchronized Script after(Action a) {
    after.add(a);
    return this;
  }

  synchronized Reply next() {
    if (replies.isEmpty()) {
      return Reply.OK;
    }
    return replies.size() == 1 ? replies.peekFirst() : replies.pollFirst();
  }

  void runBefore() {
    run(snapshot(before));
  }

  void runAfter() {
    run(snapshot(after));
  }

  private synchronized List<Action> snapshot(List<Action> actions) {
    return List.copyOf(actions);
  }

  private static void run(List<Action> actions) {
    for (Action a : actions) {
      try {
        a.run();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
