package dev.stackback.agent;

import dev.stackback.port.ContainerInfo;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.ExecRequest;
import dev.stackback.port.ExecResult;
import dev.stackback.port.OutputLine;
import dev.stackback.port.WorkerSpec;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's engine for agent tests: journals every call as {@code <node> <method> <what>}; exec
 * prints "out:<argv>" and "err:<argv>" and exits with the number after "exit" in its command (0
 * when none); a streamed exec writes "bytes:<argv>"; every other call the test did not expect
 * fails.
 */
final class FakeNode {
  final String name;
  final List<String> journal;
  final Map<String, ContainerInfo> containers;
  final List<WorkerSpec> workers = Collections.synchronizedList(new ArrayList<>());

  /** What an exec with input does with its input (by default: {@link #digest}). */
  interface Input {
    ExecResult run(ExecRequest request, InputStream in, OutputLine out) throws Exception;
  }

  volatile Input input = FakeNode::digest;

  /**
   * Reads the input to its end and prints "sha256:<hex> bytes:<n>"; then, when the command says
   * "block", waits to be interrupted (journalled "interrupted"); exits with the number after
   * "exit".
   */
  static ExecResult digest(ExecRequest r, InputStream in, OutputLine out) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    byte[] b = new byte[8192];
    long n = 0;
    for (int k = in.read(b); k >= 0; k = in.read(b)) {
      sha.update(b, 0, k);
      n += k;
    }
    out.line(
        OutputLine.Stream.STDOUT,
        "sha256:" + java.util.HexFormat.of().formatHex(sha.digest()) + " bytes:" + n);
    String argv = String.join(" ", r.command());
    if (argv.contains("block")) {
      Thread.sleep(60_000);
    }
    int exit =
        argv.matches(".*exit \\d+.*")
            ? Integer.parseInt(argv.replaceAll(".*exit (\\d+).*", "$1"))
            : 0;
    return new ExecResult(exit, false, Duration.ofMillis(5), List.of());
  }

  FakeNode(String name, List<String> journal, Map<String, ContainerInfo> containers) {
    this.name = name;
    this.journal = journal;
    this.containers = containers;
  }

  /** A running container {@code id}; a worker carries the worker label. */
  static ContainerInfo container(String id, boolean worker) {
    return new ContainerInfo(
        id,
        id,
        "img",
        worker ? Map.of(ContainerRuntime.WORKER_LABEL, "true") : Map.of(),
        Map.of(),
        List.of(),
        true,
        "running");
  }

  ContainerRuntime runtime() {
    return (ContainerRuntime)
        Proxy.newProxyInstance(
            ContainerRuntime.class.getClassLoader(),
            new Class<?>[] {ContainerRuntime.class},
            (proxy, method, args) -> {
              String m = method.getName();
              switch (m) {
                case "inspect" -> {
                  journal.add(name + " inspect " + args[0]);
                  return Optional.ofNullable(containers.get((String) args[0]));
                }
                case "exec" -> {
                  ExecRequest r = (ExecRequest) args[0];
                  OutputLine out = (OutputLine) args[1];
                  journal.add(
                      name + " exec " + r.containerId() + " " + String.join(" ", r.command()));
                  String argv = String.join(" ", r.command());
                  if (argv.contains("block")) {
                    try {
                      Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                      journal.add(name + " interrupted " + r.containerId());
                      throw new dev.stackback.port.ContainerRuntimeException("interrupted");
                    }
                  }
                  if (argv.contains("/missing/")) {
                    return new ExecResult(1, false, Duration.ZERO, List.of());
                  }
                  out.line(OutputLine.Stream.STDOUT, "out:" + argv);
                  out.line(OutputLine.Stream.STDERR, "err:" + argv);
                  int exit =
                      argv.matches(".*exit \\d+.*")
                          ? Integer.parseInt(argv.replaceAll(".*exit (\\d+).*", "$1"))
                          : 0;
                  return new ExecResult(exit, false, Duration.ofMillis(5), List.of("out:" + argv));
                }
                case "execStreaming" -> {
                  ExecRequest r = (ExecRequest) args[0];
                  journal.add(name + " stream " + r.containerId());
                  ((OutputStream) args[1])
                      .write(
                          ("bytes:" + String.join(" ", r.command()))
                              .getBytes(StandardCharsets.UTF_8));
                  return new ExecResult(0, false, Duration.ZERO, List.of());
                }
                case "execWithInput" -> {
                  ExecRequest r = (ExecRequest) args[0];
                  journal.add(
                      name + " input " + r.containerId() + " " + String.join(" ", r.command()));
                  try {
                    return input.run(r, (InputStream) args[1], (OutputLine) args[2]);
                  } catch (InterruptedException e) {
                    journal.add(name + " interrupted " + r.containerId());
                    throw new dev.stackback.port.ContainerRuntimeException("interrupted");
                  }
                }
                case "runWorker" -> {
                  WorkerSpec spec = (WorkerSpec) args[0];
                  OutputLine out = (OutputLine) args[1];
                  workers.add(spec);
                  String argv = String.join(" ", spec.entrypoint());
                  journal.add(name + " runWorker " + argv + " " + spec.networksOf());
                  if (argv.contains("block")) {
                    try {
                      Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                      journal.add(name + " interrupted worker");
                      throw new dev.stackback.port.ContainerRuntimeException("interrupted");
                    }
                  }
                  out.line(OutputLine.Stream.STDOUT, "restored:" + argv);
                  int exit =
                      argv.matches(".*exit \\d+.*")
                          ? Integer.parseInt(argv.replaceAll(".*exit (\\d+).*", "$1"))
                          : 0;
                  return new ExecResult(exit, false, Duration.ofMillis(5), List.of("restored"));
                }
                case "startWorker" -> {
                  WorkerSpec spec = (WorkerSpec) args[0];
                  workers.add(spec);
                  journal.add(name + " startWorker " + spec.networksOf());
                  return name + "-worker";
                }
                case "listWorkers" -> {
                  journal.add(name + " listWorkers");
                  return List.of(container(name + "-worker", true));
                }
                case "remove" -> {
                  journal.add(name + " remove " + args[0]);
                  return null;
                }
                case "listContainers" -> {
                  journal.add(name + " listContainers");
                  return List.copyOf(containers.values());
                }
                case "close" -> {
                  return null;
                }
                case "hashCode" -> {
                  return System.identityHashCode(proxy);
                }
                case "equals" -> {
                  return proxy == args[0];
                }
                case "toString" -> {
                  return "FakeNode " + name;
                }
                default -> throw new AssertionError("unexpected call " + m + " on " + name);
              }
            });
  }
}
