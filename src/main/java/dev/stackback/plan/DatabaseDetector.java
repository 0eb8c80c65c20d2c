package dev.stackback.plan;

import dev.stackback.label.DatabaseKind;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises database images for {@code AUTO_BACKUP_ALL}: the repository's last path component,
 * without registry, namespace, tag or digest, e.g. {@code
 * registry.example.com:5000/lib/postgres:16} → {@code postgres}. Exporters and other helpers named
 * after a database are not databases.
 */
public final class DatabaseDetector {
  private static final Pattern POSTGRES =
      Pattern.compile("postgres(ql)?|postgis|timescaledb(-ha|-postgis)?|pgvector|postgres-\\d+");
  private static final Pattern MARIADB = Pattern.compile("mariadb(-server)?");
  private static final Pattern MYSQL = Pattern.compile("mysql(-server)?|percona(-server)?");

  private DatabaseDetector() {}

  /** The database an image runs, if we recognise it. */
  public static Optional<DatabaseKind> detect(String image) {
    String name = repositoryName(image);
    if (POSTGRES.matcher(name).matches()) {
      return Optional.of(DatabaseKind.POSTGRES);
    }
    if (MARIADB.matcher(name).matches()) {
      return Optional.of(DatabaseKind.MARIADB);
    }
    if (MYSQL.matcher(name).matches()) {
      return Optional.of(DatabaseKind.MYSQL);
    }
    return Optional.empty();
  }

  /** {@code ghcr.io/org/postgis:16-3.4@sha256:..} → {@code postgis}. */
  static String repositoryName(String image) {
    String s = image.toLowerCase(Locale.ROOT);
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int slash = s.lastIndexOf('/');
    String last = slash >= 0 ? s.substring(slash + 1) : s;
    int colon = last.indexOf(':');
    return colon >= 0 ? last.substring(0, colon) : last;
  }
}
