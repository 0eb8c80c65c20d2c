package dev.stackback.engine;

import dev.stackback.port.OutputLine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Lets the {@code restic backup} of a stop-during-backup service start before its container is
 * stopped, and read nothing until it is: the stdin of that exec, which tells the worker-side {@link
 * #SCRIPT} to open the gate ({@link #open}) or to make restic fail without a snapshot ({@link
 * #abort}).
 *
 * <p>How: restic reads its {@code --exclude-file} files after it has opened the repository (key
 * derivation), taken its lock (and waited its lock settle) and before it looks at any file to back
 * up (restic 0.19.1: {@code collectRejectByNameFuncs}, right after {@code openWithAppendLock}; any
 * restic must know its excludes before it scans). The script gives restic a FIFO as one more
 * exclude file and holds its write end (opened after restic was forked, so restic's only descriptor
 * of it is the one it opens at the gate), so restic blocks there; when one of restic's open files
 * is that FIFO the script prints {@link #REACHED} on stderr ({@link #watching}). <em>Open</em> puts
 * an empty regular file in the FIFO's place (an atomic rename: a restic that has not reached the
 * gate yet reads that) and closes the write end (one that waits in the FIFO reads end of file):
 * restic goes on with no extra exclude. <em>Abort</em> does the same with the pattern {@code [},
 * which restic (since 0.14) rejects as invalid: it exits 1 before it reads a file, and drops its
 * lock. SIGINT or SIGTERM of the script (stack-back's exec kill sends SIGINT to it and restic), or
 * the end of its stdin (stack-back died), aborts too, unless it opened.
 *
 * <p>So the engine stops the container only when restic is (about to be) at the gate: the
 * container's downtime is its stop, the scan and upload, its start; restic's start-up, key
 * derivation (~0.5 s with restic's default parameters) and lock settle (0.2 s) happen while it
 * still runs. Needs POSIX {@code sh}, {@code mkfifo}, {@code mv}, {@code /proc} and a writable
 * {@code /tmp} in the worker (stack-back's image has them).
 */
final class SnapshotGate extends InputStream {

  /** $1 = the FIFO's path, then restic's argv (with {@code --exclude-file=$1}). */
  static final String SCRIPT =
      """
      g=$1; shift
      mkfifo -m 600 "$g" || { echo "stack-back: cannot make the snapshot gate $g" >&2; exit 125; }
      "$@" &
      r=$!
      exec 3<>"$g"
      d=
      decide() {
        [ -n "$d" ] && return; d=1
        printf "$1" > "$g.new" && mv -f "$g.new" "$g"
        printf "$1" >&3; exec 3>&-
      }
      trap 'decide "[\\n" 2>/dev/null' INT TERM
      alive() {
        { read -r l < /proc/$1/stat; } 2>/dev/null || return 1
        l=${l##*") "}; [ "${l%% *}" != Z ]
      }
      at=
      while [ -z "$at" ] && alive $r; do
        for f in /proc/$r/fd/*; do [ "$f" -ef "$g" ] && at=1 && break; done
        [ -n "$at" ] || sleep 0.02 2>/dev/null || sleep 1
      done
      if [ -n "$at" ]; then
        echo "@REACHED@" >&2
        IFS= read -r go || go=
        if [ "$go" = go ]; then decide ""; else decide "[\\n"; fi 2>/dev/null
      fi
      while :; do wait $r; c=$?; kill -0 $r 2>/dev/null || break; done
      rm -f "$g" "$g.new"
      exit $c
      """
          .replace("@REACHED@", SnapshotGate.REACHED);

  /** The script's stderr line when restic has opened the FIFO: it waits at the gate. */
  static final String REACHED = "stack-back-gate: restic waits at the gate";

  private static final byte[] OPEN = "go\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ABORT = "abort\n".getBytes(StandardCharsets.US_ASCII);

  private final CountDownLatch decided = new CountDownLatch(1);
  private final CountDownLatch reached = new CountDownLatch(1);
  private volatile long reachedAt; // System.nanoTime() of the REACHED line
  private volatile byte[] answer;
  private int sent;

  /** Lets restic read the volumes (the container is stopped). Later calls change nothing. */
  void open() {
    decide(OPEN);
  }

  /** Makes restic exit without a snapshot (the stop failed, the run was cancelled). */
  void abort() {
    decide(ABORT);
  }

  /**
   * Passes {@code log} every line but the script's {@link #REACHED}, which counts down {@link
   * #awaitReached} instead.
   */
  OutputLine watching(OutputLine log) {
    return (stream, line) -> {
      if (stream == OutputLine.Stream.STDERR && line.equals(REACHED)) {
        reachedAt = System.nanoTime();
        reached.countDown();
      } else {
        log.line(stream, line);
      }
    };
  }

  /**
   * Waits until restic waits at the gate, {@code ended} says its exec is over (it failed before, or
   * was stopped) or {@code maxNanos} passed; true when it reached the gate. Polls {@code ended}
   * every 50 ms.
   */
  boolean awaitReached(BooleanSupplier ended, long maxNanos) throws InterruptedException {
    long deadline = System.nanoTime() + maxNanos;
    while (true) {
      long left = deadline - System.nanoTime();
      if (reached.await(Math.max(0, Math.min(left, 50_000_000L)), TimeUnit.NANOSECONDS)) {
        return true;
      }
      if (ended.getAsBoolean() || left <= 0) {
        return reached.getCount() == 0;
      }
    }
  }

  /** When restic reached the gate ({@link System#nanoTime()}), or 0 while it has not. */
  long reachedAt() {
    return reached.getCount() == 0 ? reachedAt : 0;
  }

  /** True once {@link #open} came first. */
  boolean opened() {
    return answer == OPEN;
  }

  private synchronized void decide(byte[] what) {
    if (answer == null) {
      answer = what;
      decided.countDown();
    }
  }

  /**
   * Blocks until {@link #open} or {@link #abort}, then gives that line and end of file. An
   * interrupt of the reading thread (the exec's stdin copier) counts as an abort.
   */
  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    try {
      decided.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort();
    }
    byte[] a = answer;
    synchronized (this) {
      if (sent >= a.length) {
        return -1;
      }
      int n = Math.min(len, a.length - sent);
      System.arraycopy(a, sent, b, off, n);
      sent += n;
      return n;
    }
  }

  /** A FIFO path for one gated snapshot in the worker. */
  static String fifoPath() {
    return "/tmp/stack-back-gate-" + UUID.randomUUID();
  }

  /**
   * The exec's argv: {@link #SCRIPT} around {@code resticArgv} with {@code --exclude-file=<fifo>}
   * after its {@code backup} word.
   */
  static List<String> command(List<String> resticArgv, String fifo) {
    int backup = resticArgv.indexOf("backup");
    if (backup < 0) {
      throw new IllegalArgumentException("not a restic backup command: " + resticArgv);
    }
    List<String> argv = new ArrayList<>(List.of("sh", "-c", SCRIPT, "stack-back-gate", fifo));
    argv.addAll(resticArgv.subList(0, backup + 1));
    argv.add("--exclude-file=" + fifo);
    argv.addAll(resticArgv.subList(backup + 1, resticArgv.size()));
    return argv;
  }
}
