package dev.stackback.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code stack-back} command; its subcommands do the work. */
@Command(
    name = "stack-back",
    mixinStandardHelpOptions = true,
    versionProvider = StackBackCommand.Version.class,
    description =
        "Backup sidecar for Docker Compose stacks: labels say what to back up, restic stores it.",
    subcommandsRepeatable = false)
public final class StackBackCommand implements Runnable {
  @picocli.CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with every subcommand wired to {@code app}. */
  public static CommandLine commandLine(App app) {
    CommandLine cl = new CommandLine(new StackBackCommand());
    cl.addSubcommand(new StatusCommand(app));
    cl.addSubcommand(new BackupCommand(app));
    cl.addSubcommand(new DaemonCommand(app));
    cl.addSubcommand(new RunsCommand(app));
    cl.addSubcommand(new SnapshotsCommand(app));
    cl.addSubcommand(new CleanupCommand(app));
    cl.addSubcommand(new CheckCommand(app));
    cl.addSubcommand(new RestoreCommand(app));
    cl.addSubcommand(new AlertCommand(app));
    cl.addSubcommand(new VersionCommand());
    return cl;
  }

  /**
   * The command line with only {@code version}: what {@code stack-back version} and {@code
   * --version} print, without building (and class-loading) every other command.
   */
  static CommandLine versionOnly() {
    CommandLine cl = new CommandLine(new StackBackCommand());
    cl.addSubcommand(new VersionCommand());
    return cl;
  }

  /** {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"stack-back " + VersionCommand.version()};
    }
  }
}
