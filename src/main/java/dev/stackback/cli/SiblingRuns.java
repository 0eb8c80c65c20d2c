package dev.stackback.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other stack-back processes in our container (e.g. a {@code docker exec ... stack-back
 * backup}): the processes we can see that run the same program as we do (the same java binary and
 * jar), other than us and our own descendants. When the daemon is told to stop, they are told too.
 */
final class SiblingRuns {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");

  private SiblingRuns() {}

  /** Sends SIGTERM to every sibling; returns them, to be awaited. */
  static List<ProcessHandle> terminate() {
    List<ProcessHandle> others = find();
    if (!others.isEmpty()) {
      LOG.info(
          "SIGTERM to {} other stack-back process(es) in this container (pid {}): they stop"
              + " safely too",
          others.size(),
          String.join(", ", others.stream().map(p -> Long.toString(p.pid())).toList()));
      others.forEach(ProcessHandle::destroy); // SIGTERM on Linux
    }
    return others;
  }

  /** Waits until every one of {@code others} has exited, at most {@code limit} in all. */
  static void await(List<ProcessHandle> others, Duration limit) {
    long deadline = System.nanoTime() + Math.max(0, limit.toNanos());
    for (ProcessHandle p : others) {
      try {
        p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn("stack-back process {} did not exit within the shutdown grace", p.pid());
      } catch (ExecutionException e) {
        LOG.debug("waiting for process {}: {}", p.pid(), e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static List<ProcessHandle> find() {
    ProcessHandle me = ProcessHandle.current();
    Optional<String> command = me.info().command();
    Optional<String> jar = jarOf(me);
    if (command.isEmpty()) {
      return List.of();
    }
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != me.pid())
        .filter(p -> !descendsFrom(p, me))
        .filter(p -> p.info().command().equals(command))
        .filter(p -> jar.isEmpty() || jarOf(p).equals(jar))
        .toList();
  }

  /** The argument after {@code -jar}, if the process was started that way. */
  private static Optional<String> jarOf(ProcessHandle p) {
    List<String> args = List.of(p.info().arguments().orElse(new String[0]));
    int i = args.indexOf("-jar");
    return i >= 0 && i + 1 < args.size() ? Optional.of(args.get(i + 1)) : Optional.empty();
  }

  private static boolean descendsFrom(ProcessHandle p, ProcessHandle ancestor) {
    Optional<ProcessHandle> parent = p.parent();
    while (parent.isPresent()) {
      if (parent.get().pid() == ancestor.pid()) {
        return true;
      }
      parent = parent.get().parent();
    }
    return false;
  }
}
