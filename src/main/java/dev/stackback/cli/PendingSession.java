package dev.stackback.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link Session} being opened on a daemon thread of its own, for a command that has other work
 * to do meanwhile (restic's start-up, picocli): what opening printed is kept and printed by {@link
 * #join}, in the command's place, as if it had opened the session itself.
 */
final class PendingSession {
  /** The session, or the exit opening it ended with; what it printed meanwhile. */
  private record Outcome(Session session, Session.Exit exit, String printed) {}

  private final CompletableFuture<Outcome> outcome;

  /** Starts {@code open} (given where to print) on a thread named {@code thread}. */
  PendingSession(String thread, Function<PrintWriter, Session> open) {
    this.outcome = background(thread, () -> opened(open));
  }

  private static Outcome opened(Function<PrintWriter, Session> open) {
    StringWriter printed = new StringWriter();
    PrintWriter err = new PrintWriter(printed);
    try {
      Session s = open.apply(err);
      err.flush();
      return new Outcome(s, null, printed.toString());
    } catch (Session.Exit e) {
      err.flush();
      return new Outcome(null, e, printed.toString());
    }
  }

  /**
   * The session (the caller closes it), or {@link Session.Exit} after printing to {@code err} what
   * opening reported (e.g. Docker unreachable, no own container).
   */
  Session join(PrintWriter err) {
    Outcome o;
    try {
      o = outcome.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    err.print(o.printed());
    err.flush();
    if (o.exit() != null) {
      throw o.exit();
    }
    return o.session();
  }

  /** For a command that will not {@link #join}: the session is closed once it is open. */
  void discard() {
    outcome.thenAccept(
        o -> {
          if (o.session() != null) {
            o.session().close();
          }
        });
  }

  /** {@code work} on a daemon thread of its own (the JVM never waits for it at exit). */
  static <T> CompletableFuture<T> background(String thread, Supplier<T> work) {
    return CompletableFuture.supplyAsync(
        work,
        r -> {
          Thread t = new Thread(r, thread);
          t.setDaemon(true);
          t.start();
        });
  }
}
