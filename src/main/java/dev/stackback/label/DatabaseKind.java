package dev.stackback.label;

/** The database engines we dump. */
public enum DatabaseKind {
  POSTGRES(LabelKeys.POSTGRES, "/var/lib/postgresql/data"),
  MYSQL(LabelKeys.MYSQL, "/var/lib/mysql"),
  MARIADB(LabelKeys.MARIADB, "/var/lib/mysql");

  private final String labelSuffix;
  private final String defaultDataDir;

  DatabaseKind(String labelSuffix, String defaultDataDir) {
    this.labelSuffix = labelSuffix;
    this.defaultDataDir = defaultDataDir;
  }

  /** The label suffix: {@code postgres}, {@code mysql} or {@code mariadb}. */
  public String labelSuffix() {
    return labelSuffix;
  }

  /** Where the official image keeps its data when no variable says otherwise. */
  public String defaultDataDir() {
    return defaultDataDir;
  }
}
