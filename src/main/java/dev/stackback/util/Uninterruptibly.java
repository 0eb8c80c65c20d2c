package dev.stackback.util;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waits that an interrupt does not cut short: the interrupt is kept for the caller. */
public final class Uninterruptibly {
  private Uninterruptibly() {}

  /**
   * {@code future.get()}, but an interrupt of the calling thread (a cancel) does not end the wait:
   * the caller still gets the result, and its interrupt status is set again before this returns.
   */
  public static <T> T get(Future<T> future) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
