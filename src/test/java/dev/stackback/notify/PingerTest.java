package dev.stackback.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PingerTest {
  @Test
  void withSuffix_appendsToThePath_keepsTheQuery_dropsTrailingSlashes() {
    assertEquals(
        "https://hc.example/ping/k/start",
        Pinger.withSuffix("https://hc.example/ping/k", "/start"));
    assertEquals(
        "https://hc.example/ping/k/fail",
        Pinger.withSuffix("https://hc.example/ping/k//", "/fail"));
    assertEquals("https://hc.example/ping/k", Pinger.withSuffix("https://hc.example/ping/k/", ""));
    assertEquals(
        "https://kuma.example/api/push/t/start?status=up&msg=OK",
        Pinger.withSuffix("https://kuma.example/api/push/t?status=up&msg=OK", "/start"));
  }

  @Test
  void origin_showsNoPathNorCredentials() {
    assertEquals(
        "https://hc.example", Pinger.origin("https://user:pw@hc.example/ping/secret-uuid"));
  }
}
