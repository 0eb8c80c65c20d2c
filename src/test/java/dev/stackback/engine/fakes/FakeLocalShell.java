package dev.stackback.engine.fakes;

import dev.stackback.port.ExecResult;
import dev.stackback.port.LocalShell;
import dev.stackback.port.OutputLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A local shell that journals {@code local sh -c <script>} and answers as scripted. */
public final class FakeLocalShell implements LocalShell {
  private final Journal journal;
  private final List<Map<String, String>> envs = new ArrayList<>();

  public FakeLocalShell(Journal journal) {
    this.journal = journal;
  }

  /** The environment of every call, in order. */
  public synchronized List<Map<String, String>> envs() {
    return List.copyOf(envs);
  }

  @Override
  public ExecResult run(String script, Map<String, String> env, Duration timeout, OutputLine out) {
    synchronized (this) {
      envs.add(Map.copyOf(env));
    }
    Script.Reply r = journal.call("local sh -c " + script);
    r.throwIfError();
    out.line(OutputLine.Stream.STDOUT, "out of " + script);
    return new ExecResult(
        r.timedOut() ? -1 : r.exitCode(), r.timedOut(), Duration.ZERO, List.of("tail line"));
  }
}
