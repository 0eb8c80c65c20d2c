package dev.stackback.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

  /** Children in progress: a scheduled run, a dashboard's "back up now", its status refresh. */
  private final Set<Process> current = new HashSet<>();

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
    Optional<Process> p = start(args, ProcessBuilder.Redirect.INHERIT);
    if (p.isEmpty()) {
      return OptionalInt.empty();
    }
    try {
      while (true) {
        try {
          return OptionalInt.of(p.get().waitFor());
        } catch (InterruptedException e) {
          // only SIGTERM ends the daemon; the child is told by terminate() and is awaited
          Thread.interrupted();
        }
      }
    } finally {
      forget(p.get());
    }
  }

  /**
   * Runs {@code args} in a child JVM with its stdout captured (its log on our stderr), bounded by
   * {@code limit} (then killed); its stdout when it exited with one of {@code okCodes}.
   *
   * @throws IOException when it cannot be started, timed out or exited otherwise
   */
  String output(List<String> args, Duration limit, Set<Integer> okCodes) throws IOException {
    Optional<Process> p = start(args, ProcessBuilder.Redirect.PIPE);
    if (p.isEmpty()) {
      throw new IOException("the daemon is stopping");
    }
    Process proc = p.get();
    try {
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(
              () -> {
                try (var in = proc.getInputStream()) {
                  return in.readNBytes(MAX_OUTPUT);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      if (!proc.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        proc.destroyForcibly();
        throw new IOException("'" + String.join(" ", args) + "' took longer than " + limit);
      }
      if (!okCodes.contains(proc.exitValue())) {
        throw new IOException(
            "'" + String.join(" ", args) + "' exited with code " + proc.exitValue());
      }
      return new String(out.join(), StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      proc.destroy();
      throw new IOException("interrupted", e);
    } finally {
      forget(proc);
    }
  }

  /** The most stdout {@link #output} keeps (a status of a big stack is tens of KiB). */
  static final int MAX_OUTPUT = 4 << 20;

  private synchronized Optional<Process> start(List<String> args, ProcessBuilder.Redirect stdout)
      throws IOException {
    if (closed) {
      return Optional.empty();
    }
    ProcessBuilder pb =
        new ProcessBuilder(command(env, args))
            .redirectInput(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(stdout)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    if (env.containsKey("LOG_LEVEL")) {
      // a daemon started with --log-level passes it on (Main put it in our environment)
      pb.environment().remove("LOG_LEVEL_FILE");
      pb.environment().put("LOG_LEVEL", env.get("LOG_LEVEL"));
    }
    Process p = pb.start();
    current.add(p);
    return Optional.of(p);
  }

  private synchronized void forget(Process p) {
    current.remove(p);
  }

  /** SIGTERM to the children in progress (if any); no child starts after this. */
  synchronized List<ProcessHandle> terminate() {
    closed = true;
    List<ProcessHandle> out = new ArrayList<>();
    for (Process p : current) {
      p.destroy(); // SIGTERM
      out.add(p.toHandle());
    }
    return out;
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
