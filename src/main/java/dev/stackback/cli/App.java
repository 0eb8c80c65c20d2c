package dev.stackback.cli;

import dev.stackback.config.Config;
import dev.stackback.notify.Notifier;
import dev.stackback.port.ContainerRuntime;
import dev.stackback.port.LocalShell;
import dev.stackback.port.Restic;
import java.time.Clock;
import java.util.Map;

/**
 * The collaborators a command needs, made on demand. {@link RealApp} wires the real adapters; tests
 * pass fakes of the ports.
 */
public interface App {
  /** The environment the configuration is read from. */
  Map<String, String> env();

  ContainerRuntime runtime(Config config);

  Restic restic(Config config);

  LocalShell shell();

  Clock clock();

  /** Where run notifications go; tests replace it to keep their runs quiet or to watch them. */
  default Notifier notifier(Config config) {
    return Notifier.from(config);
  }
}
