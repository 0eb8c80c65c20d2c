package dev.stackback.cli;

/** Entry point: {@code java -jar stack-back.jar <command>}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Logging.configure(System.getenv());
    int code = StackBackCommand.commandLine(new RealApp(System.getenv())).execute(args);
    System.exit(code);
  }
}
