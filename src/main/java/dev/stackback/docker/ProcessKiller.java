package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a process and its descendants inside a container with a second exec: a first signal
 * (SIGTERM, or SIGINT for restic), a short grace, then SIGKILL. Plain POSIX sh over {@code
 * /proc/<pid>/stat}, so it works with busybox.
 */
final class ProcessKiller {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessKiller.class);

  /**
   * $1 = the PID, $2 = the first signal, $3 = the grace in tenths of a second. Collects the process
   * tree first, so reparented children are not lost.
   */
  static final String SCRIPT =
      """
      t=$1
      sig=$2
      grace=$3
      all=
      for s in /proc/[0-9]*/stat; do
        read -r l < "$s" 2>/dev/null || continue
        r=${l##*") "}
        set -- $r
        all="$all ${l%% *}:$2"
      done
      found=$t
      queue=$t
      while [ -n "$queue" ]; do
        next=
        for q in $queue; do
          for e in $all; do
            [ "${e#*:}" = "$q" ] && next="$next ${e%%:*}"
          done
        done
        found="$found$next"
        queue=$next
      done
      alive() {
        read -r l < /proc/$1/stat 2>/dev/null || return 1
        r=${l##*") "}
        [ "${r%% *}" != Z ]
      }
      kill -$sig $found 2>/dev/null
      i=0
      while [ $i -lt $grace ]; do
        left=
        for p in $found; do alive $p && left="$left $p"; done
        [ -z "$left" ] && exit 0
        sleep 0.1 2>/dev/null || sleep 1
        i=$((i + 1))
      done
      kill -KILL $found 2>/dev/null
      exit 0
      """;

  private ProcessKiller() {}

  /**
   * {@code signal} first, then SIGKILL after a grace: 2 s after SIGTERM, 5 s after SIGINT (restic
   * removes its lock from the repository first, which may take a round trip to a remote backend).
   */
  static void kill(
      DockerClient client, String containerId, String pid, String signal, Duration bound) {
    String graceTenths = "INT".equals(signal) ? "50" : "20";
    try {
      String execId =
          client
              .execCreateCmd(containerId)
              .withUser("0")
              .withCmd("sh", "-c", SCRIPT, "sh", pid, signal, graceTenths)
              .withAttachStdout(true)
              .withAttachStderr(true)
              .exec()
              .getId();
      try (ResultCallback.Adapter<Frame> done =
          client.execStartCmd(execId).exec(new ResultCallback.Adapter<>())) {
        if (!done.awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn(
              "killing PID {} in {} (SIG{}) did not finish in {}", pid, containerId, signal, bound);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("could not kill PID {} in {}: {}", pid, containerId, e.toString());
    }
  }
}
