package dev.stackback.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/** Entry point: {@code java -jar stack-back.jar <command>}. */
public final class Main {
  private Main() {}

  /**
   * Arguments that only print the version: no configuration, logging, Docker or picocli (whose
   * reflection over the commands would be most of the time) is touched.
   */
  private static final Set<String> VERSION_ONLY = Set.of("version", "--version", "-V");

  public static void main(String[] args) {
    System.exit(run(args, System.getenv()));
  }

  static int run(String[] args, Map<String, String> processEnv) {
    if (args.length == 1 && VERSION_ONLY.contains(args[0])) {
      // what VersionCommand and --version print, without building the command line
      System.out.println("stack-back " + VersionCommand.version());
      System.out.flush();
      return 0;
    }
    Map<String, String> env = withLogLevel(args, processEnv);
    App app = new RealApp(env);
    if (args.length == 1 && args[0].equals("daemon")) {
      // the image's default command: no picocli in the process that stays (its idle memory)
      Logging.configure(env);
      return new DaemonCommand(app).run(new PrintWriter(System.err, true));
    }
    // status and a plain backup: restic and Docker start now, while picocli builds the command line
    StatusWork.startEarly(app, args);
    EarlyBackup.start(app, args);
    CommandLine cl = StackBackCommand.commandLine(app, args);
    // logging is configured once the arguments are parsed, and not for help and version
    cl.setExecutionStrategy(
        parsed -> {
          if (!helpOrVersion(parsed)) {
            Logging.configure(env);
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    return cl.execute(args);
  }

  /**
   * {@code --log-level L} anywhere on the command line (the Python tool's option; picocli validates
   * it) replaces {@code LOG_LEVEL} (and {@code LOG_LEVEL_FILE}) in the environment the
   * configuration, the logging and the daemon's child runs read.
   */
  static Map<String, String> withLogLevel(String[] args, Map<String, String> env) {
    String level = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        break;
      }
      if (args[i].equals(StackBackCommand.LOG_LEVEL_OPTION) && i + 1 < args.length) {
        level = args[++i];
      } else if (args[i].startsWith(StackBackCommand.LOG_LEVEL_OPTION + "=")) {
        level = args[i].substring(StackBackCommand.LOG_LEVEL_OPTION.length() + 1);
      }
    }
    if (level == null) {
      return env;
    }
    Map<String, String> out = new HashMap<>(env);
    out.remove("LOG_LEVEL_FILE");
    out.put("LOG_LEVEL", level);
    return out;
  }

  private static boolean helpOrVersion(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.isUsageHelpRequested()
          || p.isVersionHelpRequested()
          || p.commandSpec().userObject() instanceof VersionCommand) {
        return true;
      }
    }
    return false;
  }
}
