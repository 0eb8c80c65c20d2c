package dev.stackback.cli;

import dev.stackback.port.Restic;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * The repository check of a run, started in the background as soon as the run holds its locks, so
 * that restic's start-up and key derivation overlap with repairing, listing and planning. {@link
 * #get()} hands the engine the outcome: the state, or the very exception the check threw.
 */
final class RepositoryCheck implements Supplier<Restic.RepositoryState>, AutoCloseable {
  private final FutureTask<Restic.RepositoryState> task;

  private RepositoryCheck(FutureTask<Restic.RepositoryState> task) {
    this.task = task;
  }

  /** Starts {@code restic.ensureRepository()} on its own thread. */
  static RepositoryCheck start(Restic restic) {
    FutureTask<Restic.RepositoryState> task = new FutureTask<>(restic::ensureRepository);
    Thread.ofPlatform().daemon().name("stack-back-repository-check").start(task);
    return new RepositoryCheck(task);
  }

  /** Waits for the check (restic's own timeouts bound it); rethrows what it threw. */
  @Override
  public Restic.RepositoryState get() {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the repository check", e);
    }
  }

  /**
   * Waits for a check nobody asked for (the run ended before its repository step, e.g. on invalid
   * labels), so no restic process outlives the command: it is not interrupted, an {@code init} in
   * progress is left to finish rather than cut in half. Its outcome is dropped.
   */
  @Override
  public void close() {
    try {
      task.get();
    } catch (ExecutionException e) {
      // nobody needs the outcome
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
