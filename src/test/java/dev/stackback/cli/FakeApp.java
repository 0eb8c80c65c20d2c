package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.engine.fakes.FakeContainerRuntime;
import dev.stackback.engine.fakes.FakeLocalShell;
import dev.stackback.engine.fakes.FakeRestic;
import dev.stackback.engine.fakes.Journal;
import dev.stackback.engine.fakes.Stack;
import dev.stackback.notify.Notifier;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** An {@link App} of fakes of the ports, a clock and no notifications, for command tests. */
record FakeApp(
    Map<String, String> env, ContainerRuntime runtime, Restic restic, LocalShell shell, Clock clock)
    implements App {
  FakeApp {
    env = Map.copyOf(env);
  }

  /**
   * {@code stack}'s environment with {@code STATE_DIR=state} and {@code STACK_BACK_CONTAINER}, its
   * containers in a {@link FakeContainerRuntime}, {@code restic}, a {@link FakeLocalShell}, all
   * journaling into {@code journal}; the system clock.
   */
  static FakeApp of(Stack stack, Path state, Journal journal, FakeRestic restic) {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put("STATE_DIR", state.toString());
    env.put("STACK_BACK_CONTAINER", Stack.SELF);
    return new FakeApp(
        env,
        new FakeContainerRuntime(journal, stack.containers()),
        restic,
        new FakeLocalShell(journal),
        Clock.systemUTC());
  }

  /** stack-back with a pre hook, and service web backing up /data with a pre and a finally hook. */
  static Stack webStack() {
    Stack stack = new Stack();
    stack.self().hook("pre", 1, "echo self-pre");
    stack
        .service("web")
        .backsUpData()
        .hook("pre", 1, "echo web-pre")
        .hook("finally", 1, "echo web-finally");
    return stack;
  }

  /** The same with one more environment variable. */
  FakeApp withEnv(String name, String value) {
    Map<String, String> more = new HashMap<>(env);
    more.put(name, value);
    return new FakeApp(more, runtime, restic, shell, clock);
  }

  FakeApp withClock(Clock other) {
    return new FakeApp(env, runtime, restic, shell, other);
  }

  @Override
  public ContainerRuntime runtime(Config config) {
    return runtime;
  }

  @Override
  public Restic restic(Config config) {
    return restic;
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
