package dev.stackback.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

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

  static final String LOG_LEVEL_OPTION = "--log-level";

  /** Read by {@link Main#withLogLevel} before parsing; declared here for help and validation. */
  @Option(
      names = LOG_LEVEL_OPTION,
      scope = ScopeType.INHERIT,
      paramLabel = "LEVEL",
      converter = LogLevelConverter.class,
      description =
          "debug, info, warning or error (also trace, warn); overrides LOG_LEVEL, as in the"
              + " Python stack-back.")
  String logLevel;

  /** Accepts the level names {@code LOG_LEVEL} accepts, any case. */
  static final class LogLevelConverter implements CommandLine.ITypeConverter<String> {
    static final List<String> LEVELS =
        List.of("trace", "debug", "info", "warn", "warning", "error");

    @Override
    public String convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      if (!LEVELS.contains(v)) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not one of debug, info, warning, error (or trace, warn)");
      }
      return v;
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Builds the command line with every subcommand wired to {@code app}. */
  public static CommandLine commandLine(App app) {
    CommandLine cl = new CommandLine(new StackBackCommand());
    for (String name : SUBCOMMANDS) {
      cl.addSubcommand(subcommand(name, app));
    }
    return cl;
  }

  /**
   * The command line for {@code args}: when the first argument names a subcommand, only that one is
   * built (picocli reflects over every command it is given, which is most of a short command's
   * start-up); its usage, options and exit codes are the same as in the full command line.
   */
  static CommandLine commandLine(App app, String[] args) {
    if (args.length == 0 || !SUBCOMMANDS.contains(args[0])) {
      return commandLine(app);
    }
    CommandLine cl = new CommandLine(new StackBackCommand());
    cl.addSubcommand(subcommand(args[0], app));
    return cl;
  }

  /** Subcommand names in the order {@code --help} lists them. */
  static final List<String> SUBCOMMANDS =
      List.of(
          "status",
          "backup",
          "daemon",
          "runs",
          "snapshots",
          "cleanup",
          "maintenance",
          "pause",
          "resume",
          "check",
          "legacy",
          "restore",
          "verify",
          "alert",
          "version");

  private static Object subcommand(String name, App app) {
    return switch (name) {
      case "status" -> new StatusCommand(app);
      case "backup" -> new BackupCommand(app);
      case "daemon" -> new DaemonCommand(app);
      case "runs" -> new CommandLine(new RunsCommand(app)).addSubcommand(new RunsShowCommand(app));
      case "snapshots" -> new SnapshotsCommand(app);
      case "cleanup" -> new CleanupCommand(app);
      case "maintenance" -> new MaintenanceCommand(app);
      case "pause" -> new PauseCommand(app);
      case "resume" -> new ResumeCommand(app);
      case "legacy" -> new LegacyCommand(app);
      case "check" -> new CheckCommand(app);
      case "restore" -> new RestoreCommand(app);
      case "verify" -> new VerifyCommand(app);
      case "alert" -> new AlertCommand(app);
      case "version" -> new VersionCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  /** {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"stack-back " + VersionCommand.version()};
    }
  }
}
