package dev.stackback.config;

import dev.stackback.label.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of stack-back's agents in SWARM_MODE (issue 11): {@code AGENT_TOKEN} (or {@code
 * AGENT_TOKEN_FILE}, a Docker secret), the key every request between the coordinator and an agent
 * is signed with, the same on every node; {@code AGENT_PORT}, where agents listen on the stack's
 * overlay network.
 *
 * @param token the shared key, empty when not set
 * @param port the agents' port
 */
public record AgentSettings(Optional<String> token, int port) {
  /** The default {@code AGENT_PORT}. */
  public static final int DEFAULT_PORT = 9324;

  /** The shortest token accepted. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** The settings, or the problems (each naming its variable). */
  public record Result(Optional<AgentSettings> settings, List<Problem> problems) {
    public Result {
      problems = List.copyOf(problems);
    }
  }

  /** Reads the agent settings of {@code env}. */
  public static Result load(Map<String, String> env) {
    return load(env, Env::readFile);
  }

  /** Reads the agent settings of {@code env}, {@code *_FILE} files through {@code files}. */
  public static Result load(Map<String, String> env, Function<Path, String> files) {
    Env e = new Env(env, files);
    Optional<String> token = e.string("AGENT_TOKEN").map(String::trim);
    if (token.isPresent() && token.get().length() < MIN_TOKEN_LENGTH) {
      e.problem(
          "AGENT_TOKEN",
          "is too short ("
              + token.get().length()
              + " characters; at least "
              + MIN_TOKEN_LENGTH
              + ", e.g. from 'openssl rand -hex 32'); the value is not shown");
    }
    int port = DEFAULT_PORT;
    Optional<String> p = e.string("AGENT_PORT");
    if (p.isPresent()) {
      try {
        port = Integer.parseInt(p.get().trim());
      } catch (NumberFormatException x) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        e.problem("AGENT_PORT", "'" + p.get() + "' is not a port number (1-65535)");
      }
    }
    if (!e.problems().isEmpty()) {
      return new Result(Optional.empty(), e.problems());
    }
    return new Result(Optional.of(new AgentSettings(token, port)), List.of());
  }

  /** The problem of a swarm that needs agents while {@code AGENT_TOKEN} is not set. */
  public static Problem missingToken(String why) {
    return Problem.variable(
        "AGENT_TOKEN",
        "is not set (nor AGENT_TOKEN_FILE), but "
            + why
            + ": set the same secret (at least "
            + MIN_TOKEN_LENGTH
            + " characters, e.g. a Docker secret via AGENT_TOKEN_FILE) on every node's stack-back");
  }
}
