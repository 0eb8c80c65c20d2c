package dev.stackback.label;

import java.time.Duration;
import java.util.Objects;

/**
 * One hook as declared by {@code stack-back.hooks.<stage>.<N>.*} labels on a container.
 *
 * @param stage pre, post, error or finally
 * @param index N; hooks of one container run in ascending N
 * @param cmd the shell command ({@code sh -c})
 * @param context compose service to exec into, or null for the container carrying the label
 * @param onError abort (default) or continue
 * @param retries extra attempts before {@code onError} applies
 * @param timeout the hook's own timeout, or null for {@code HOOK_TIMEOUT}
 * @param mode blocking (default) or async
 * @param user user for {@code docker exec}, or null
 */
public record HookSpec(
    Stage stage,
    int index,
    String cmd,
    String context,
    OnError onError,
    int retries,
    Duration timeout,
    Mode mode,
    String user) {

  /** When a hook runs. */
  public enum Stage {
    PRE,
    POST,
    ERROR,
    FINALLY;

    /** The word used in labels. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What a failed hook does to its stage. */
  public enum OnError {
    ABORT,
    CONTINUE;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Whether the stage waits for the hook. */
  public enum Mode {
    BLOCKING,
    ASYNC;

    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public HookSpec {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(cmd, "cmd");
    Objects.requireNonNull(onError, "onError");
    Objects.requireNonNull(mode, "mode");
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative");
    }
  }

  /** The label key prefix this hook was declared under. */
  public String labelPrefix() {
    return LabelKeys.PREFIX + LabelKeys.HOOKS + stage.word() + "." + index;
  }
}
