package dev.stackback.port;

/**
 * A container engine call failed (container missing, engine unreachable, a start that never reached
 * "running", ...). A command's non-zero exit is not this: that is an {@link ExecResult}.
 */
public class ContainerRuntimeException extends RuntimeException {

  public ContainerRuntimeException(String message) {
    super(message);
  }

  public ContainerRuntimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
