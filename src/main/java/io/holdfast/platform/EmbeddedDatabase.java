package io.holdfast.platform;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

/**
 * A real PostgreSQL server started from the Maven-packaged binaries, for installs that have not
 * configured a database. It listens on loopback only and keeps its data in {@code
 * <data-dir>/postgres}, so a restart keeps everything.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());
  static final String JDBC_URL_PROPERTY = "quarkus.datasource.jdbc.url";
  static final String JDBC_URL_ENV = "QUARKUS_DATASOURCE_JDBC_URL";
  static final String DATABASE = "holdfast";

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** True when the operator pointed Holdfast at a database of their own. */
  public static boolean externalDatabaseConfigured() {
    return isSet(System.getProperty(JDBC_URL_PROPERTY)) || isSet(System.getenv(JDBC_URL_ENV));
  }

  /**
   * Starts the embedded server unless an external database is configured, and points the datasource
   * at it. Returns an instance whose {@link #close()} does nothing in the external case.
   */
  public static EmbeddedDatabase startIfUnconfigured(Path dataDir) throws IOException {
    if (externalDatabaseConfigured()) {
      LOG.info("Using the configured external PostgreSQL; the embedded one is not started.");
      return new EmbeddedDatabase(null);
    }
    Path pgData = dataDir.resolve("postgres");
    Files.createDirectories(pgData);
    LOG.info("Starting the embedded PostgreSQL with data in " + pgData);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(pgData)
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .start();
    createDatabaseIfMissing(pg);
    String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + DATABASE;
    System.setProperty(JDBC_URL_PROPERTY, url);
    System.setProperty("quarkus.datasource.username", "postgres");
    System.setProperty("quarkus.datasource.password", "postgres");
    LOG.info("Embedded PostgreSQL ready at " + url);
    return new EmbeddedDatabase(pg);
  }

  private static void createDatabaseIfMissing(EmbeddedPostgres pg) throws IOException {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
      if (!rs.next()) {
        s.execute("create database " + DATABASE);
      }
    } catch (SQLException e) {
      throw new IOException("Cannot create the holdfast database in the embedded PostgreSQL", e);
    }
  }

  private static boolean isSet(String value) {
    return value != null && !value.isBlank();
  }

  @Override
  public void close() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }
}
