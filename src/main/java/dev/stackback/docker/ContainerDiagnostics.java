package dev.stackback.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import dev.stackback.port.ContainerEvent;
import dev.stackback.port.ContainerRuntimeException;
import dev.stackback.port.ContainerState;
import dev.stackback.util.LineSplitter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a failure report asks the engine about a container: its state, the tail of its log and its
 * events ({@code docker inspect}, {@code docker logs --tail}, {@code docker events --since
 * --until}). Each wait is bounded by the caller's timeout; what arrived by then is kept.
 */
final class ContainerDiagnostics {
  /** Event attributes worth a report line; the others are the container's labels and names. */
  private static final List<String> ATTRIBUTES = List.of("exitCode", "signal");

  /** The wrapper {@link ExecRunner} puts around every command (to learn its PID): not news. */
  private static final java.util.regex.Pattern EXEC_WRAPPER =
      java.util.regex.Pattern.compile(
          "^(exec_\\w+: )sh -c echo \"\\$0 \\$\\$\" >&2; exec \"\\$@\" stack-back-exec-pid-\\S+ ");

  private final DockerClient client;

  ContainerDiagnostics(DockerClient client) {
    this.client = client;
  }

  Optional<ContainerState> state(String containerId) {
    InspectContainerResponse c;
    try {
      c = client.inspectContainerCmd(containerId).exec();
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot inspect container '" + containerId + "': " + e.getMessage(), e);
    }
    InspectContainerResponse.ContainerState s = c.getState();
    Long exit = s == null ? null : s.getExitCodeLong();
    boolean everEnded =
        s != null && s.getFinishedAt() != null && !s.getFinishedAt().startsWith("0001-");
    return Optional.of(
        new ContainerState(
            c.getId(),
            c.getName(),
            s == null ? null : s.getStatus(),
            exit == null || !everEnded ? null : exit.intValue(),
            s != null && Boolean.TRUE.equals(s.getOOMKilled()),
            c.getRestartCount() == null ? 0 : c.getRestartCount(),
            s == null || s.getHealth() == null ? null : s.getHealth().getStatus(),
            s == null ? null : s.getError(),
            c.getConfig() == null ? Map.of() : ContainerMapper.parseEnv(c.getConfig().getEnv())));
  }

  List<String> logTail(String containerId, int lines, Duration timeout) {
    List<String> out = new ArrayList<>();
    LineSplitter stdout = new LineSplitter(l -> add(out, l));
    LineSplitter stderr = new LineSplitter(l -> add(out, l));
    ResultCallback.Adapter<Frame> frames =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Frame f) {
            (f.getStreamType() == StreamType.STDERR ? stderr : stdout).feed(f.getPayload());
          }
        };
    try {
      client
          .logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .withTail(lines)
          .exec(frames);
      await(frames, timeout);
    } catch (NotFoundException e) {
      return List.of();
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot read the log of container '" + containerId + "': " + e.getMessage(), e);
    } finally {
      close(frames);
    }
    stdout.flush();
    stderr.flush();
    synchronized (out) {
      return List.copyOf(out.subList(Math.max(0, out.size() - lines), out.size()));
    }
  }

  List<ContainerEvent> events(String containerId, Instant since, Instant until, Duration timeout) {
    List<ContainerEvent> out = new ArrayList<>();
    ResultCallback.Adapter<Event> events =
        new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Event e) {
            if (e.getAction() == null
                || !e.getAction()
                    .startsWith("exec_create")) { // exec_start says the same a moment later
              add(out, toEvent(e));
            }
          }
        };
    try {
      client
          .eventsCmd()
          .withEventTypeFilter(EventType.CONTAINER)
          .withContainerFilter(containerId)
          .withSince(Long.toString(since.getEpochSecond()))
          // to the nanosecond: the engine closes the stream at once when until has passed
          .withUntil(timestamp(until))
          .exec(events);
      await(events, timeout);
    } catch (DockerException | IllegalStateException e) {
      throw new ContainerRuntimeException(
          "cannot read the events of container '" + containerId + "': " + e.getMessage(), e);
    } finally {
      close(events);
    }
    synchronized (out) {
      return List.copyOf(out);
    }
  }

  /** The engine's {@code seconds.nanoseconds} form of a time. */
  static String timestamp(Instant t) {
    return String.format(java.util.Locale.ROOT, "%d.%09d", t.getEpochSecond(), t.getNano());
  }

  static ContainerEvent toEvent(Event e) {
    Instant at =
        e.getTimeNano() != null
            ? Instant.EPOCH.plusNanos(e.getTimeNano())
            : e.getTime() == null ? null : Instant.ofEpochSecond(e.getTime());
    String action = e.getAction() != null ? e.getAction() : String.valueOf(e.getStatus());
    action = EXEC_WRAPPER.matcher(action).replaceFirst("$1");
    Map<String, String> attributes = new LinkedHashMap<>();
    if (e.getActor() != null && e.getActor().getAttributes() != null) {
      for (String k : ATTRIBUTES) {
        String v = e.getActor().getAttributes().get(k);
        if (v != null) {
          attributes.put(k, v);
        }
      }
    }
    return new ContainerEvent(at, action, attributes);
  }

  private static <T> void add(List<T> list, T item) {
    synchronized (list) {
      list.add(item);
    }
  }

  private static void await(ResultCallback.Adapter<?> callback, Duration timeout) {
    try {
      callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(ResultCallback.Adapter<?> callback) {
    try {
      callback.close();
    } catch (IOException e) {
      // the stream is gone either way
    }
  }
}
