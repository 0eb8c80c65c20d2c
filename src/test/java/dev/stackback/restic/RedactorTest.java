package dev.stackback.restic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

  @Test
  void masksSecretValues_keepsRepositoryPath() {
    Redactor r =
        new Redactor(
            Map.of(
                "RESTIC_REPOSITORY", "/srv/repo",
                "RESTIC_PASSWORD", "hunter22",
                "AWS_SECRET_ACCESS_KEY", "AKxyz123"));
    assertEquals(
        "repo /srv/repo pw *** key ***", r.redact("repo /srv/repo pw hunter22 key AKxyz123"));
  }

  @Test
  void masksPasswordInRepositoryUrl() {
    Redactor r = new Redactor(Map.of("RESTIC_REPOSITORY", "rest:https://u:pa55w0rd@host:8000/r"));
    assertEquals("rest:https://u:***@host:8000/r", r.redact("rest:https://u:pa55w0rd@host:8000/r"));
  }

  @Test
  void backendSecrets_masked_pathsAndShortSettingsKept() {
    Redactor r =
        new Redactor(
            Map.of(
                "AZURE_ACCOUNT_SAS", "sv=2022&sig=abc",
                "RESTIC_REST_PASSWORD", "pw9", // short, but the name says secret
                "RESTIC_CACERT", "/certs/ca.pem",
                "RESTIC_READ_CONCURRENCY", "2",
                "B2_ACCOUNT_ID", "0012ab34cd"));
    assertEquals(
        "sas *** rest *** ca /certs/ca.pem: 2 files, account ***",
        r.redact("sas sv=2022&sig=abc rest pw9 ca /certs/ca.pem: 2 files, account 0012ab34cd"));
  }
}
