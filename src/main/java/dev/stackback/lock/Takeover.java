package dev.stackback.lock;

import dev.stackback.lock.EngineLock.Dead;
import dev.stackback.lock.EngineLock.Unknown;
import dev.stackback.lock.EngineLock.Verdict;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The take loop of the engine lock and the swarm lock: create the named object; on a conflict read
 * its holder from its labels, remove it by id when the holder is dead and try again, or report
 * busy. Removing by id (never by name) means two runs that both found a lock stale cannot remove
 * each other's new lock: the loser's create fails and it reports busy.
 */
final class Takeover {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.lock");
  private static final int ATTEMPTS = 3;

  private Takeover() {}

  /**
   * Where a lock lives: objects created at most once per name.
   *
   * @param kind "engine lock", "swarm lock": for messages
   * @param object "a container", "a swarm config": what a lock is, for messages
   * @param removeCommand the command that removes the lock by hand, e.g. {@code docker rm}
   * @param create creates the object from its name and labels: its id, or empty when one of that
   *     name exists
   * @param find the object of a name: its id and labels; empty when there is none
   * @param remove removes an object by id; one that is already gone is no error
   */
  record Store(
      String kind,
      String object,
      String removeCommand,
      BiFunction<String, Map<String, String>, Optional<String>> create,
      Function<String, Optional<Map.Entry<String, Map<String, String>>>> find,
      Consumer<String> remove) {}

  /** Who holds a lock, as its labels say. */
  interface Holder {
    /** The backup host the lock is for. */
    String host();

    /** For messages: "a manual run (pid 42 ...) since ...". */
    String describe();
  }

  /** What {@link #take} got. */
  sealed interface Outcome {}

  /** The lock is ours: the id of its object. */
  record Took(String id) implements Outcome {}

  /** Another run holds it. */
  record Busy(String message) implements Outcome {}

  /**
   * Takes lock {@code name} in {@code store} for a holder with {@code labels}; {@code parse} reads
   * a holder from an existing lock's labels (empty when they are not ours), {@code judge} says
   * whether it still runs.
   */
  static <H extends Holder> Outcome take(
      Store store,
      String name,
      Map<String, String> labels,
      Function<Map<String, String>, Optional<H>> parse,
      Function<H, Verdict> judge) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<String> id = store.create().apply(name, labels);
      if (id.isPresent()) {
        LOG.debug("took the {} {}", store.kind(), name);
        return new Took(id.get());
      }
      Optional<Map.Entry<String, Map<String, String>>> existing = store.find().apply(name);
      if (existing.isEmpty()) {
        continue; // released meanwhile: try again
      }
      Optional<H> holder = parse.apply(existing.get().getValue());
      if (holder.isEmpty()) {
        return new Busy(
            store.object()
                + " named '"
                + name
                + "' exists but is not a stack-back lock; remove or rename it");
      }
      Verdict v = judge.apply(holder.get());
      if (v instanceof Dead) {
        LOG.warn(
            "removing the stale {} {} of {}: {}",
            store.kind(),
            name,
            holder.get().describe(),
            v.why());
        store.remove().accept(existing.get().getKey());
        continue;
      }
      String msg =
          holder.get().describe()
              + " holds the "
              + store.kind()
              + " '"
              + name
              + "' for host '"
              + holder.get().host()
              + "'";
      if (v instanceof Unknown) {
        msg +=
            " ("
                + v.why()
                + "; if that process is gone, remove the lock: "
                + store.removeCommand()
                + " "
                + name
                + ")";
      }
      return new Busy(msg);
    }
    return new Busy(
        "the " + store.kind() + " '" + name + "' changed hands " + ATTEMPTS + " times; busy");
  }

  /**
   * Releases the lock {@code name} whose object is {@code id}; a failure is logged (stale later).
   */
  static void release(Store store, String id, String name) {
    try {
      store.remove().accept(id);
      LOG.debug("released the {} {}", store.kind(), name);
    } catch (RuntimeException e) {
      LOG.error("cannot remove the {} {}: {}", store.kind(), name, e.getMessage());
    }
  }
}
