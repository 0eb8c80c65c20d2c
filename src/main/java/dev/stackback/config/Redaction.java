package dev.stackback.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Hides secrets: values of secret-looking variables and credentials inside URLs. */
public final class Redaction {
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "PASS|SECRET|TOKEN|_KEY|KEY_|CREDENTIAL|WEBHOOK|ACCOUNT_KEY|AUTH|_SAS|PRIVATE|COOKIE");
  // greedy up to the last '@' before the path: a password may contain an unencoded '@'
  private static final Pattern URL_USERINFO = Pattern.compile("(://)([^/\\s]+)@");

  private Redaction() {}

  /** True when a variable of this name holds a secret. */
  public static boolean isSecret(String name) {
    return SECRET_NAME.matcher(name.toUpperCase(Locale.ROOT)).find()
        && !name.toUpperCase(Locale.ROOT).endsWith("_FILE");
  }

  /** A URL with its user-info part replaced: {@code rest:https://***@host/}. */
  public static String url(String s) {
    return URL_USERINFO.matcher(s).replaceAll("$1***@");
  }

  /**
   * {@code text} with the values of the secret variables of {@code env} (three characters or more)
   * replaced by {@code ***}, longest first, and credentials in URLs hidden.
   */
  public static String text(String text, Map<String, String> env) {
    String out = text;
    java.util.List<String> secrets =
        env.entrySet().stream()
            .filter(e -> isSecret(e.getKey()) && e.getValue() != null && e.getValue().length() >= 3)
            .map(Map.Entry::getValue)
            .sorted((a, b) -> b.length() - a.length())
            .toList();
    for (String secret : secrets) {
      out = out.replace(secret, "***");
    }
    return url(out);
  }

  /** The variables with secret values replaced by {@code ***} and URLs cleaned. */
  public static Map<String, String> env(Map<String, String> env) {
    Map<String, String> out = new TreeMap<>();
    env.forEach((k, v) -> out.put(k, isSecret(k) ? "***" : url(v)));
    return out;
  }
}
