package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.notify.Notifier;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;

/** An {@link App} of fakes of the ports, the system clock and no notifications. */
record FakeApp(Map<String, String> env, ContainerRuntime runtime, Restic restic, LocalShell shell)
    implements App {
  @Override
  public ContainerRuntime runtime(Config config) {
    return runtime;
  }

  @Override
  public Restic restic(Config config) {
    return restic;
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  public Notifier notifier(Config config) {
    return Notifier.none();
  }

  /**
   * Runs {@code stack-back args...} through picocli; its output goes to {@code out}/{@code err}.
   */
  int execute(StringWriter out, StringWriter err, String... args) {
    var cl = StackBackCommand.commandLine(this);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
