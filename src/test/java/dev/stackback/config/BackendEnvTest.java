package dev.stackback.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every variable restic and its backends read (restic's "Environment Variables" list, plus Go's TLS
 * and minio-go's) goes to restic, and so to the worker container, untouched; the secret ones never
 * show in {@code status}. Files they name are not read by stack-back: the worker has the stack-back
 * container's mounts, so a mounted file is at the same path there.
 */
class BackendEnvTest {
  /** Name → whether its value is a secret. */
  static final Map<String, Boolean> RESTIC_READS =
      Map.ofEntries(
          Map.entry("RESTIC_PASSWORD_COMMAND", true),
          Map.entry("RESTIC_KEY_HINT", true) /* "KEY_": masked, harmless */,
          Map.entry("RESTIC_CACHE_DIR", false),
          Map.entry("RESTIC_CACERT", false),
          Map.entry("RESTIC_TLS_CLIENT_CERT", false),
          Map.entry("RESTIC_COMPRESSION", false),
          Map.entry("RESTIC_PACK_SIZE", false),
          Map.entry("RESTIC_READ_CONCURRENCY", false),
          Map.entry("RESTIC_FEATURES", false),
          Map.entry("RESTIC_HOST", false),
          Map.entry("RESTIC_REST_USERNAME", false),
          Map.entry("RESTIC_REST_PASSWORD", true),
          Map.entry("RESTIC_AWS_ASSUME_ROLE_ARN", false),
          Map.entry("TMPDIR", false),
          Map.entry("XDG_CACHE_HOME", false),
          Map.entry("AWS_ACCESS_KEY_ID", true),
          Map.entry("AWS_SECRET_ACCESS_KEY", true),
          Map.entry("AWS_SESSION_TOKEN", true),
          Map.entry("AWS_DEFAULT_REGION", false),
          Map.entry("AWS_PROFILE", false),
          Map.entry("AWS_SHARED_CREDENTIALS_FILE", false),
          Map.entry("MINIO_SECRET_KEY", true),
          Map.entry("SSL_CERT_FILE", false),
          Map.entry("ST_AUTH", true),
          Map.entry("ST_USER", false),
          Map.entry("ST_KEY", true),
          Map.entry("OS_AUTH_URL", true),
          Map.entry("OS_REGION_NAME", false),
          Map.entry("OS_USERNAME", false),
          Map.entry("OS_PASSWORD", true),
          Map.entry("OS_PROJECT_NAME", false),
          Map.entry("OS_APPLICATION_CREDENTIAL_SECRET", true),
          Map.entry("OS_AUTH_TOKEN", true),
          Map.entry("OS_STORAGE_URL", false),
          Map.entry("B2_ACCOUNT_ID", false),
          Map.entry("B2_ACCOUNT_KEY", true),
          Map.entry("AZURE_ACCOUNT_NAME", false),
          Map.entry("AZURE_ACCOUNT_KEY", true),
          Map.entry("AZURE_ACCOUNT_SAS", true),
          Map.entry("AZURE_ENDPOINT_SUFFIX", false),
          Map.entry("GOOGLE_PROJECT_ID", false),
          Map.entry("GOOGLE_APPLICATION_CREDENTIALS", true),
          Map.entry("GOOGLE_ACCESS_TOKEN", true),
          Map.entry("RCLONE_BWLIMIT", false),
          Map.entry("RCLONE_CONFIG_OFFSITE_PASS", true),
          Map.entry("HTTPS_PROXY", false));

  @Test
  void everyVariableResticReads_goesToRestic_andToTheWorker_asItIs() {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "s3:https://s3.example.com/bucket");
    // the password comes from RESTIC_PASSWORD_COMMAND (one of the list)
    RESTIC_READS.keySet().forEach(name -> env.put(name, "value-of-" + name));
    env.put("HOOK_TIMEOUT", "1m"); // ours
    env.put("RESTIC_KEEP_DAILY", "3"); // ours

    Config c = ConfigLoader.load(env, p -> null).config().orElseThrow();

    for (String name : RESTIC_READS.keySet()) {
      assertEquals("value-of-" + name, c.resticEnv().get(name), name);
    }
    assertFalse(c.resticEnv().containsKey("HOOK_TIMEOUT"));
    assertFalse(c.resticEnv().containsKey("RESTIC_KEEP_DAILY"));
  }

  @Test
  void statusShowsNoSecretValue() {
    Map<String, String> env = new HashMap<>();
    RESTIC_READS.keySet().forEach(name -> env.put(name, "value-of-" + name));

    Map<String, String> shown = Redaction.env(env);

    RESTIC_READS.forEach(
        (name, secret) -> {
          if (secret) {
            assertEquals("***", shown.get(name), name);
          } else {
            assertEquals("value-of-" + name, shown.get(name), name + " is not a secret");
          }
        });
    Set<String> leaked =
        Set.copyOf(
            shown.values().stream()
                .filter(v -> RESTIC_READS.getOrDefault(v.replace("value-of-", ""), false))
                .toList());
    assertTrue(leaked.isEmpty(), leaked.toString());
  }

  @Test
  void repositoryUrlCredentials_areHiddenWhateverTheBackend() {
    for (String repo :
        List.of(
            "rest:https://user:pa55@backup.example.com:8000/repo",
            "s3:https://key:secret@minio.example.com/bucket",
            "rclone:offsite:https://u:p@x/y")) {
      String shown = Redaction.env(Map.of("RESTIC_REPOSITORY", repo)).get("RESTIC_REPOSITORY");
      assertTrue(shown.contains("***@"), shown);
      assertFalse(shown.contains("pa55") || shown.contains(":secret") || shown.contains("u:p@"));
    }
  }

  @Test
  void backendSecretFileForms_areReadByUs_passedAsTheVariable() {
    Map<java.nio.file.Path, String> files =
        Map.of(
            java.nio.file.Path.of("/run/secrets/aws"), "aws-secret\n",
            java.nio.file.Path.of("/run/secrets/rest"), "rest-pw");
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "s3:https://s3.example.com/bucket");
    env.put("RESTIC_PASSWORD", "hunter22");
    env.put("AWS_SECRET_ACCESS_KEY_FILE", "/run/secrets/aws");
    env.put("RESTIC_REST_PASSWORD_FILE", "/run/secrets/rest");
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/run/secrets/aws-credentials"); // restic's own

    Config c = ConfigLoader.load(env, files::get).config().orElseThrow();

    assertEquals("aws-secret", c.resticEnv().get("AWS_SECRET_ACCESS_KEY"));
    assertEquals("rest-pw", c.resticEnv().get("RESTIC_REST_PASSWORD"));
    assertFalse(c.resticEnv().containsKey("AWS_SECRET_ACCESS_KEY_FILE"));
    assertFalse(c.resticEnv().containsKey("RESTIC_REST_PASSWORD_FILE"));
    assertEquals("/run/secrets/aws-credentials", c.resticEnv().get("AWS_SHARED_CREDENTIALS_FILE"));
  }

  @Test
  void backendSecretFile_missingOrBothForms_isAnErrorNamingTheVariable() {
    Map<String, String> env = new HashMap<>();
    env.put("RESTIC_REPOSITORY", "b2:bucket:/");
    env.put("RESTIC_PASSWORD", "hunter22");
    env.put("B2_ACCOUNT_KEY_FILE", "/run/secrets/missing");
    env.put("AWS_ACCESS_KEY_ID", "AKIA1");
    env.put("AWS_ACCESS_KEY_ID_FILE", "/run/secrets/aws-id");

    ConfigLoader.Result r =
        ConfigLoader.load(
            env,
            p -> {
              throw new IllegalStateException("cannot read " + p);
            });

    assertTrue(r.config().isEmpty());
    String problems = r.problems().toString();
    assertTrue(problems.contains("B2_ACCOUNT_KEY_FILE"), problems);
    assertTrue(problems.contains("/run/secrets/missing"), problems);
    assertTrue(problems.contains("both AWS_ACCESS_KEY_ID and AWS_ACCESS_KEY_ID_FILE"), problems);
  }
}
