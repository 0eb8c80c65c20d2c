package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.state.RunLock;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's start-up, in a child process ({@code daemon --startup-repair}, hidden): waits until
 * Docker answers, then repairs interrupted runs under the run lock and the engine lock of our
 * backup host. Its exit code tells the daemon whether it runs in the stack-back container (then
 * runs exec'd into that container die with it, so the daemon forwards SIGTERM to them).
 */
final class StartupRepair {
  private static final Logger LOG = LoggerFactory.getLogger("stack-back.daemon");
  private static final Duration DOCKER_RETRY = Duration.ofSeconds(10);

  /** Exit code: repaired (or Docker cannot tell); we may be in the stack-back container. */
  static final int IN_CONTAINER = 0;

  /** Exit code: Docker says we are not in the container STACK_BACK_CONTAINER names. */
  static final int NOT_IN_CONTAINER = 20;

  private final App app;
  private final BackupRunner runner;
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  StartupRepair(App app) {
    this.app = app;
    this.runner = new BackupRunner(app);
  }

  /** Runs until repaired or SIGTERM; the exit code of the child. */
  int run(Config config, PrintWriter err) {
    Thread hook =
        new Thread(
            () -> {
              stopping.countDown();
              runner.cancel();
              try {
                stopped.await(BackupCommand.SHUTDOWN_GRACE.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "stack-back-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return waitForDocker(config, err);
    } finally {
      stopped.countDown();
    }
  }

  private int waitForDocker(Config config, PrintWriter err) {
    while (true) {
      try (Session s = Session.connect(app, err)) {
        boolean inContainer =
            config.stackBackContainer().isEmpty() || s.runtime.findOwnContainerId().isPresent();
        Optional<RunLock> lock = BackupRunner.tryLock(s, "recovery", err);
        if (lock.isPresent()) {
          RunLock held = lock.get();
          try (held) {
            runner.recover(s.runtime, s.config, s.host());
          }
        } else {
          LOG.warn("interrupted runs are repaired by the next backup run instead");
        }
        return inContainer ? IN_CONTAINER : NOT_IN_CONTAINER;
      } catch (Session.Exit e) {
        if (e.code != 1) {
          // invalid setup (e.g. STACK_BACK_CONTAINER names no container): every backup says so
          LOG.error("no repair of interrupted runs at start-up: {}", e.getMessage());
          return IN_CONTAINER;
        }
        LOG.warn("Docker is not reachable yet ({}); retrying in {}s", e.getMessage(), secs());
      } catch (RuntimeException e) {
        LOG.warn("Docker is not reachable yet ({}); retrying in {}s", e.getMessage(), secs());
      }
      try {
        if (stopping.await(DOCKER_RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
          return IN_CONTAINER;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return IN_CONTAINER;
      }
    }
  }

  private static long secs() {
    return DOCKER_RETRY.toSeconds();
  }
}
