package dev.stackback.cli;

import dev.stackback.engine.DumpCommands;
import dev.stackback.plan.Plan;
import dev.stackback.plan.Target;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * For {@code status}: asks each database to be dumped whether it answers ({@code pg_isready},
 * {@code mariadb-admin ping}) inside its container, with the credentials read there. All pings run
 * at once, each bounded by a few seconds.
 */
final class DatabasePings {
  static final int PING_SECONDS = 3;
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(PING_SECONDS + 3);

  /** Whether a database answered, with the tool's last line (or why it could not be asked). */
  record Ping(boolean answers, String message) {}

  private DatabasePings() {}

  /** Service name → ping, for every target of {@code plan} with a dump. */
  static Map<String, Ping> check(ContainerRuntime runtime, Plan plan) {
    Map<String, Future<Ping>> futures = new LinkedHashMap<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Target t : plan.targets()) {
        if (t.dump().isPresent()) {
          futures.put(t.name(), pool.submit(() -> ping(runtime, t)));
        }
      }
      Map<String, Ping> out = new LinkedHashMap<>();
      futures.forEach((name, f) -> out.put(name, result(f)));
      return out;
    }
  }

  private static Ping ping(ContainerRuntime runtime, Target t) {
    var dump = t.dump().orElseThrow();
    String container = t.service().refs().get(0).id();
    ExecRequest request =
        new ExecRequest(
            container, DumpCommands.ping(dump.kind(), PING_SECONDS), null, Map.of(), EXEC_TIMEOUT);
    try {
      ExecResult r = runtime.exec(request, OutputLine.discard());
      String last = lastLine(r.tail());
      if (r.timedOut()) {
        return new Ping(false, "no answer within " + EXEC_TIMEOUT.toSeconds() + "s");
      }
      return r.exitCode() == 0
          ? new Ping(true, last)
          : new Ping(false, "exit code " + r.exitCode() + (last.isEmpty() ? "" : ": " + last));
    } catch (RuntimeException e) {
      return new Ping(false, "cannot exec in the container: " + e.getMessage());
    }
  }

  private static Ping result(Future<Ping> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      return new Ping(false, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Ping(false, "interrupted");
    }
  }

  private static String lastLine(List<String> tail) {
    for (int i = tail.size() - 1; i >= 0; i--) {
      if (!tail.get(i).isBlank()) {
        return tail.get(i).strip();
      }
    }
    return "";
  }
}
