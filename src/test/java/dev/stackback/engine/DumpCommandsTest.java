package dev.stackback.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackback.label.DatabaseKind;
import dev.stackback.plan.DatabaseDump;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database scripts run by a local {@code sh} against fake clients that print their arguments
 * and the password they were given: credentials come from the environment ({@code *_FILE} first,
 * image defaults when unset) and never from the command line.
 */
class DumpCommandsTest {
  @TempDir Path dir;

  private static final String FAKE =
      "#!/bin/sh\necho \"$(basename \"$0\") $*\"\necho \"PGPASSWORD=${PGPASSWORD:-} MYSQL_PWD=${MYSQL_PWD:-}\"\n";

  @Test
  void pgDump_userPasswordFileAndDatabase_fromTheEnvironment() throws Exception {
    Path secret = write("pw", "s3cret\n");
    String out =
        run(
            DumpCommands.command(dump(DatabaseKind.POSTGRES, false)),
            Map.of(
                "POSTGRES_USER",
                "app",
                "POSTGRES_PASSWORD_FILE",
                secret.toString(),
                "POSTGRES_DB",
                "shop"),
            "pg_dump");
    assertEquals("pg_dump -U app -d shop --clean --if-exists\nPGPASSWORD=s3cret MYSQL_PWD=", out);
  }

  @Test
  void pgDumpall_imageDefaults_whenNothingIsSet() throws Exception {
    String out =
        run(DumpCommands.command(dump(DatabaseKind.POSTGRES, true)), Map.of(), "pg_dumpall");
    assertEquals("pg_dumpall -U postgres --clean --if-exists\nPGPASSWORD= MYSQL_PWD=", out);
  }

  @Test
  void mariadbDump_rootPasswordFile_winsOverTheUser() throws Exception {
    Path secret = write("root", "r00t");
    String out =
        run(
            DumpCommands.command(dump(DatabaseKind.MARIADB, true)),
            Map.of(
                "MARIADB_ROOT_PASSWORD_FILE",
                secret.toString(),
                "MARIADB_USER",
                "app",
                "MARIADB_PASSWORD",
                "x"),
            "mariadb-dump");
    assertEquals(
        "mariadb-dump -uroot --all-databases --single-transaction --routines --events --triggers\n"
            + "PGPASSWORD= MYSQL_PWD=r00t",
        out);
  }

  @Test
  void mysqldump_withoutRootPassword_usesTheApplicationUser() throws Exception {
    String out =
        run(
            DumpCommands.command(dump(DatabaseKind.MYSQL, true)),
            Map.of(
                "MYSQL_USER",
                "app",
                "MYSQL_PASSWORD",
                "apppw",
                "MYSQL_RANDOM_ROOT_PASSWORD",
                "yes"),
            "mysqldump");
    assertTrue(out.startsWith("mysqldump -uapp --all-databases"), out);
    assertTrue(out.endsWith("MYSQL_PWD=apppw"), out);
  }

  @Test
  void missingSecretFile_failsTheDump() throws Exception {
    Result r =
        exec(
            DumpCommands.command(dump(DatabaseKind.POSTGRES, false)),
            Map.of("POSTGRES_PASSWORD_FILE", dir.resolve("nope").toString()),
            List.of("pg_dump"));
    assertTrue(r.exit != 0, r.out);
    assertFalse(r.out.contains("pg_dump -U"), r.out);
  }

  @Test
  void ping_postgresAndMariadb_boundedAndWithCredentials() throws Exception {
    assertEquals(
        "pg_isready -t 3 -U postgres -d postgres\nPGPASSWORD=pw MYSQL_PWD=",
        run(
            DumpCommands.ping(DatabaseKind.POSTGRES, 3),
            Map.of("POSTGRES_PASSWORD", "pw"),
            "pg_isready"));
    assertEquals(
        "mysqladmin -uroot --connect-timeout=2 ping\nPGPASSWORD= MYSQL_PWD=pw",
        run(
            DumpCommands.ping(DatabaseKind.MYSQL, 2),
            Map.of("MYSQL_ROOT_PASSWORD", "pw"),
            "mysqladmin"));
  }

  @Test
  void receive_readsExactlyTheSize_andRejectsAShortTransfer() throws Exception {
    Path file = dir.resolve("dump.sql");
    Result ok = exec(DumpCommands.receive(file.toString(), 5), Map.of(), List.of(), "hello world");
    assertEquals(0, ok.exit, ok.out);
    assertEquals("hello", Files.readString(file));

    Result shortRead =
        exec(DumpCommands.receive(file.toString(), 50), Map.of(), List.of(), "hello");
    assertEquals(1, shortRead.exit);
    assertTrue(shortRead.out.contains("received 5 of 50 bytes"), shortRead.out);
    assertFalse(Files.exists(file), "a short transfer must not stay behind");
  }

  @Test
  void restore_feedsTheFileToTheClient_andRemovesIt() throws Exception {
    Path file = write("dump.sql", "CREATE TABLE t;\n");
    String fakeMariadb = "#!/bin/sh\necho \"mariadb $* MYSQL_PWD=$MYSQL_PWD\"\ncat\n";
    Result r =
        exec(
            DumpCommands.restore(DatabaseKind.MARIADB, true, file.toString()),
            Map.of("MARIADB_ROOT_PASSWORD", "pw"),
            List.of(),
            null,
            Map.of("mariadb", fakeMariadb));
    assertEquals(0, r.exit, r.out);
    assertEquals("mariadb -uroot MYSQL_PWD=pw\nCREATE TABLE t;", r.out.strip());
    assertFalse(Files.exists(file));
  }

  @Test
  void restore_pgDump_stopsAtTheFirstError_inOneTransaction() throws Exception {
    Path file = write("dump.sql", "x");
    String out =
        run(
            DumpCommands.restore(DatabaseKind.POSTGRES, false, file.toString()),
            Map.of("POSTGRES_DB", "shop"),
            "psql");
    assertEquals(
        "psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U postgres -d shop -f "
            + file
            + "\nPGPASSWORD= MYSQL_PWD=",
        out);
    assertFalse(Files.exists(file));
  }

  // --- running a script with fake clients ---

  private record Result(int exit, String out) {}

  private String run(List<String> argv, Map<String, String> env, String fake) throws Exception {
    Result r = exec(argv, env, List.of(fake));
    assertEquals(0, r.exit, r.out);
    return r.out.strip();
  }

  private Result exec(List<String> argv, Map<String, String> env, List<String> fakes)
      throws Exception {
    return exec(argv, env, fakes, null, Map.of());
  }

  private Result exec(List<String> argv, Map<String, String> env, List<String> fakes, String stdin)
      throws Exception {
    return exec(argv, env, fakes, stdin, Map.of());
  }

  private Result exec(
      List<String> argv,
      Map<String, String> env,
      List<String> fakes,
      String stdin,
      Map<String, String> scripts)
      throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Map<String, String> all = new HashMap<>(scripts);
    fakes.forEach(f -> all.put(f, FAKE));
    for (var e : all.entrySet()) {
      Path p = bin.resolve(e.getKey());
      Files.writeString(p, e.getValue());
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true);
    pb.environment().clear();
    // only our fakes and the basic tools: no real database client is found
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return new Result(p.exitValue(), out);
  }

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private static DatabaseDump dump(DatabaseKind kind, boolean all) {
    return new DatabaseDump(kind, all, "/databases/x/all_databases.sql", "label");
  }
}
