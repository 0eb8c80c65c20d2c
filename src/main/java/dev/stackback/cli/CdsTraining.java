package dev.stackback.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training run for the image's class-data-sharing archive (not a command; see the Dockerfile):
 * runs the real {@code version}, {@code --help}, {@code status --help}, {@code status} and {@code
 * backup --dry-run} in one JVM, against a stand-in Docker engine on 127.0.0.1 that answers the list
 * and inspect calls with a fixed small project. So the classes those commands load (picocli,
 * logback, docker-java, its HTTP client, Jackson, the planner, restic's process handling) are in
 * the archive. Nothing here is used at run time; the output is discarded.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path state = Files.createTempDirectory("sb-cds");
    HttpServer engine =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    engine.createContext("/", CdsTraining::answer);
    engine.start();
    PrintStream out = System.out;
    PrintStream err = System.err;
    try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
      if (!Boolean.getBoolean("stackback.training.verbose")) {
        System.setOut(quiet);
        System.setErr(quiet);
      }
      Map<String, String> env =
          Map.of(
              "DOCKER_HOST",
              "tcp://127.0.0.1:" + engine.getAddress().getPort(),
              "STACK_BACK_CONTAINER",
              "sb",
              "RESTIC_REPOSITORY",
              state.resolve("no-repository").toString(),
              "RESTIC_PASSWORD",
              "training",
              "STATE_DIR",
              state.toString(),
              "LOG_LEVEL",
              "info");
      int[] codes = {
        Main.run(new String[] {"version"}, env),
        Main.run(new String[] {"--help"}, env),
        Main.run(new String[] {"status", "--help"}, env),
        Main.run(new String[] {"status"}, env),
        Main.run(new String[] {"status", "--json"}, env),
        Main.run(new String[] {"backup", "--dry-run"}, env),
      };
      out.println("training exit codes: " + java.util.Arrays.toString(codes));
    } finally {
      System.setOut(out);
      System.setErr(err);
      engine.stop(0);
    }
  }

  private static void answer(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String body;
    int code = 200;
    if (path.equals("/version")) {
      // the API version negotiation's first call (as a Docker 28 engine answers it)
      body = "{\"Version\":\"28.5.2\",\"ApiVersion\":\"1.51\",\"MinAPIVersion\":\"1.24\"}";
    } else if (path.endsWith("/containers/json")) {
      body = "[" + LISTED_SB + "," + LISTED_APP + "," + LISTED_DB + "," + LISTED_OTHER + "]";
    } else if (path.endsWith("/containers/sb/json")
        || path.endsWith("/containers/" + SB + "/json")) {
      body = INSPECT_SB;
    } else if (path.endsWith("/containers/" + APP + "/json")) {
      body = INSPECT_APP;
    } else if (path.endsWith("/containers/" + DB + "/json")) {
      body = INSPECT_DB;
    } else {
      code = 404;
      body = "{\"message\":\"not in the training engine: " + path + "\"}";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(code, bytes.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(bytes);
    }
  }

  private static final String SB = "5b".repeat(32);
  private static final String APP = "a1".repeat(32);
  private static final String DB = "db".repeat(32);
  private static final String OTHER = "0e".repeat(32);

  private static String listed(String id, String name, String image, String labels, String mounts) {
    return """
        {"Id":"%s","Names":["/%s"],"Image":"%s","ImageID":"sha256:%s","State":"running",\
        "Status":"Up 1 hour","Labels":%s,"Mounts":%s}"""
        .formatted(id, name, image, id, labels, mounts);
  }

  private static String inspected(
      String id, String name, String image, String labels, String env, String mounts) {
    return """
        {"Id":"%s","Name":"/%s","Image":"sha256:%s","Config":{"Image":"%s","Labels":%s,"Env":%s},\
        "State":{"Status":"running","Running":true,"Paused":false,"Restarting":false},\
        "Mounts":%s}"""
        .formatted(id, name, id, image, labels, env, mounts);
  }

  private static String labels(String service, String extra) {
    return "{\"com.docker.compose.project\":\"train\",\"com.docker.compose.service\":\""
        + service
        + "\""
        + extra
        + "}";
  }

  private static final String SOCKET =
      "[{\"Type\":\"bind\",\"Source\":\"/var/run/docker.sock\",\"Destination\":\"/var/run/docker.sock\",\"RW\":true}]";
  private static final String VOLUME =
      "[{\"Type\":\"volume\",\"Name\":\"train_data\",\"Source\":\"/var/lib/docker/volumes/train_data/_data\","
          + "\"Destination\":\"/data\",\"Driver\":\"local\",\"RW\":true}]";
  private static final String SB_LABELS = labels("backup", "");
  private static final String APP_LABELS =
      labels("app", ",\"stack-back.volumes\":\"true\",\"stack-back.hooks.pre.1.cmd\":\"true\"");
  private static final String DB_LABELS = labels("db", ",\"stack-back.postgres\":\"true\"");

  private static final String LISTED_SB =
      listed(SB, "train-backup-1", "stack-back", SB_LABELS, SOCKET);
  private static final String LISTED_APP =
      listed(APP, "train-app-1", "busybox", APP_LABELS, VOLUME);
  private static final String LISTED_DB = listed(DB, "train-db-1", "postgres:16", DB_LABELS, "[]");
  private static final String LISTED_OTHER =
      listed(OTHER, "train-web-1", "nginx:1", labels("web", ""), "[]");
  private static final String INSPECT_SB =
      inspected(SB, "train-backup-1", "stack-back", SB_LABELS, "[\"PATH=/bin\"]", SOCKET);
  private static final String INSPECT_APP =
      inspected(APP, "train-app-1", "busybox", APP_LABELS, "[\"A=1\"]", VOLUME);
  private static final String INSPECT_DB =
      inspected(DB, "train-db-1", "postgres:16", DB_LABELS, "[\"POSTGRES_DB=app\"]", "[]");
}
