package dev.stackback.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactionTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RESTIC_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "B2_ACCOUNT_KEY",
        "AZURE_ACCOUNT_KEY",
        "EMAIL_HOST_PASSWORD",
        "DISCORD_WEBHOOK",
        "RESTIC_PASSWORD_COMMAND",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "OS_AUTH_TOKEN",
        "aws_secret_access_key"
      })
  void secretNames_areSecret(String name) {
    assertTrue(Redaction.isSecret(name), name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"RESTIC_REPOSITORY", "RESTIC_PASSWORD_FILE", "HOOK_TIMEOUT", "B2_ACCOUNT_ID"})
  void otherNames_andFilePaths_areNotSecret(String name) {
    assertFalse(Redaction.isSecret(name), name);
  }

  @Test
  void env_hidesSecretsAndUrlUserInfo_keepsTheRest() {
    Map<String, String> out =
        Redaction.env(
            Map.of(
                "RESTIC_PASSWORD", "pw",
                "AWS_SECRET_ACCESS_KEY", "aws-secret",
                "RESTIC_REPOSITORY", "rest:https://user:pass@backup.example.com:8000/repo",
                "RESTIC_PASSWORD_FILE", "/run/secrets/pw",
                "HOOK_TIMEOUT", "10m"));
    assertEquals(
        Map.of(
            "RESTIC_PASSWORD", "***",
            "AWS_SECRET_ACCESS_KEY", "***",
            "RESTIC_REPOSITORY", "rest:https://***@backup.example.com:8000/repo",
            "RESTIC_PASSWORD_FILE", "/run/secrets/pw",
            "HOOK_TIMEOUT", "10m"),
        out);
  }

  @Test
  void url_withoutUserInfo_isUnchanged() {
    assertEquals(
        "s3:https://s3.example.com/bucket", Redaction.url("s3:https://s3.example.com/bucket"));
    assertEquals("/restic_data", Redaction.url("/restic_data"));
    assertEquals("https://host/path?x=a@b", Redaction.url("https://host/path?x=a@b"));
  }

  @Test
  void url_userInfoWithAtSignInPassword_isHiddenCompletely() {
    assertEquals("rest:https://***@host/repo", Redaction.url("rest:https://user:p@ss@host/repo"));
  }

  @Test
  void url_userInfoAtEndWithoutPath_isHidden() {
    assertEquals("https://***@host", Redaction.url("https://user:pass@host"));
  }
}
