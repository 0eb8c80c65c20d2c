package dev.stackback.port;

import java.time.Duration;
import java.util.Map;

/** Runs {@code sh -c} where stack-back itself runs: hooks of the stack-back container. */
public interface LocalShell {
  /**
   * Runs {@code sh -c script}; output lines go to {@code output} as they arrive. On timeout the
   * process (and its children) is killed and the result says {@code timedOut}.
   */
  ExecResult run(String script, Map<String, String> env, Duration timeout, OutputLine output);
}
