package dev.stackback.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The daemon's runs in child processes: each scheduled backup, each maintenance and the start-up
 * repair is {@code <java.home>/bin/java <options> -jar <this jar> <args>}, with the daemon's
 * environment and its stdout/stderr (so its log lines go to the container log), awaited. The daemon
 * itself never loads the Docker client, restic's adapter or a plan: its idle memory is only what it
 * needs to wait. {@link #terminate()} sends SIGTERM to the child in progress (it stops safely on
 * its own, like a manual run) and starts no more.
 */
final class ChildRuns {
  /** The launcher's JVM options file in the image (docker/stack-back). */
  static final Path IMAGE_OPTIONS = Path.of("/opt/stack-back/jvm.options");

  private final Map<String, String> env;
  private Process current;
  private boolean closed;

  ChildRuns(Map<String, String> env) {
    this.env = env;
  }

  /**
   * Runs {@code args} (a stack-back command line) in a child JVM and waits for it; its exit code,
   * or empty when {@link #terminate()} came first or the process could not be started (logged by
   * the caller through the exception message).
   *
   * @throws IOException when the child cannot be started
   */
  OptionalInt run(List<String> args) throws IOException {
    Process p;
    synchronized (this) {
      if (closed) {
        return OptionalInt.empty();
      }
      ProcessBuilder pb = new ProcessBuilder(command(env, args)).inheritIO();
      if (env.containsKey("LOG_LEVEL")) {
        // a daemon started with --log-level passes it on (Main put it in our environment)
        pb.environment().remove("LOG_LEVEL_FILE");
        pb.environment().put("LOG_LEVEL", env.get("LOG_LEVEL"));
      }
      p = pb.start();
      current = p;
    }
    try {
      while (true) {
        try {
          return OptionalInt.of(p.waitFor());
        } catch (InterruptedException e) {
          // only SIGTERM ends the daemon; the child is told by terminate() and is awaited
          Thread.interrupted();
        }
      }
    } finally {
      synchronized (this) {
        current = null;
      }
    }
  }

  /** SIGTERM to the child in progress (if any); no child starts after this. */
  synchronized Optional<ProcessHandle> terminate() {
    closed = true;
    if (current == null) {
      return Optional.empty();
    }
    current.destroy(); // SIGTERM
    return Optional.of(current.toHandle());
  }

  /** The child's command line: this JVM, the launcher's options, this program, {@code args}. */
  static List<String> command(Map<String, String> env, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions(env, Files.isRegularFile(IMAGE_OPTIONS)));
    Optional<Path> jar = ownJar();
    if (jar.isPresent()) {
      cmd.add("-jar");
      cmd.add(jar.get().toString());
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Main.class.getName());
    }
    cmd.addAll(args);
    return cmd;
  }

  /**
   * What the launcher gives a command: {@code STACK_BACK_JAVA_OPTS} split into words when set (as
   * the shell does), else the image's options file when there is one, else nothing.
   */
  static List<String> javaOptions(Map<String, String> env, boolean imageOptions) {
    String opts = env.get("STACK_BACK_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      return Arrays.stream(opts.trim().split("\\s+")).toList();
    }
    return imageOptions ? List.of("@" + IMAGE_OPTIONS) : List.of();
  }

  /** The jar this class was loaded from; empty when run from a class directory (tests). */
  private static Optional<Path> ownJar() {
    try {
      var source = ChildRuns.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path p = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(p) && p.toString().endsWith(".jar")
          ? Optional.of(p)
          : Optional.empty();
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
