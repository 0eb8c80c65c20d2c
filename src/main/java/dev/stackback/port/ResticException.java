package dev.stackback.port;

/** A restic call that failed; {@link #kind()} says how, the message never carries a secret. */
public class ResticException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** How a restic call failed, from its exit code and output. */
  public enum Kind {
    /** the repository does not exist (exit 10, or the "unable to open config file" message) */
    NO_REPOSITORY,
    /**
     * the location holds data but no readable repository (deleted or damaged while something
     * remained, or removed while restic wrote to it): never initialised over
     */
    DAMAGED,
    /** the repository is locked (exit 11) */
    LOCKED,
    /**
     * the backend cannot be reached (refused, unresolvable, no route, TLS or ssh failure): nothing
     * is known about the repository itself
     */
    UNREACHABLE,
    /** the password is wrong (exit 12, or "wrong password") */
    WRONG_PASSWORD,
    /** the snapshot was created but some files could not be read (exit 3) */
    INCOMPLETE,
    /** the call ran past its timeout and was interrupted */
    TIMEOUT,
    /** anything else */
    FAILED
  }

  private final Kind kind;
  private final int exitCode;

  public ResticException(Kind kind, int exitCode, String message) {
    super(message);
    this.kind = kind;
    this.exitCode = exitCode;
  }

  public Kind kind() {
    return kind;
  }

  /** restic's exit code, or -1 when it never exited on its own. */
  public int exitCode() {
    return exitCode;
  }
}
