package dev.custody.postgresql;

import dev.custody.core.FormatException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The tables of a PostgreSQL ledger, created and migrated by Flyway from
 * {@code dev/custody/postgresql/migration/V*__*.sql}; Flyway's history is the table
 * {@value #HISTORY_TABLE}. Checked at every open: a database without custody's schema, with a schema
 * newer than this custody knows, or with a migration whose script differs from this custody's is
 * refused with an error that says so.
 */
final class PostgresSchema {
  static final String HISTORY_TABLE = "custody_schema_history";
  private static final String LOCATION = "classpath:dev/custody/postgresql/migration";
  /** The newest schema this code knows (the highest {@code V<n>} script). */
  static final MigrationVersion CURRENT = MigrationVersion.fromVersion("2");

  private PostgresSchema() {}

  private static Flyway flyway(DataSource ds) {
    return Flyway.configure(PostgresSchema.class.getClassLoader())
        .dataSource(ds)
        .locations(LOCATION)
        .table(HISTORY_TABLE)
        .cleanDisabled(true)
        .loggers("slf4j") // silent unless the application has an SLF4J binding
        .load();
  }

  /**
   * Creates the schema in an empty database.
   *
   * @throws FormatException if the database already holds a custody ledger or other tables
   */
  static void create(DataSource ds, String where) throws FormatException {
    Flyway f = flyway(ds);
    try {
      if (f.info().current() != null) {
        throw new FormatException(where + " already holds a custody ledger (schema version " + f.info().current().getVersion()
            + "); use it, or give another database");
      }
      f.migrate();
    } catch (FlywayException e) {
      throw new FormatException("creating the custody schema in " + where + " failed: " + e.getMessage());
    }
  }

  /**
   * Checks the schema at open; a writer ({@code migrate}) brings an older one up to date.
   *
   * @throws FormatException if the database holds no custody ledger, a newer or altered schema
   */
  static void check(DataSource ds, String where, boolean migrate) throws FormatException {
    Flyway f = flyway(ds);
    try {
      MigrationInfoService info = f.info();
      MigrationInfo current = info.current();
      if (current == null) {
        throw new FormatException(where + " holds no custody ledger (no " + HISTORY_TABLE + " table); create one with"
            + " 'custody init --store " + where + "'");
      }
      if (current.getVersion().compareTo(CURRENT) > 0) {
        throw new FormatException(where + " has custody schema version " + current.getVersion() + ", newer than this"
            + " custody knows (" + CURRENT + "); use a newer custody");
      }
      if (info.pending().length > 0) {
        if (!migrate) {
          throw new FormatException(where + " has custody schema version " + current.getVersion() + ", older than "
              + CURRENT + "; open it for writing once (any append, or 'custody checkpoint') to migrate it");
        }
        f.migrate();
      }
      f.validate();
    } catch (FlywayException e) {
      throw new FormatException("the custody schema of " + where + " is not the one this custody made: "
          + e.getMessage());
    }
  }
}
