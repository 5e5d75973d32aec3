package io.holdfast.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A real PostgreSQL for {@code @QuarkusTest}s: the one named by {@code QUARKUS_DATASOURCE_JDBC_URL}
 * when set, else a throwaway embedded server for this test run.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

  private EmbeddedPostgres postgres;

  @Override
  public Map<String, String> start() {
    String external = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
    if (external != null && !external.isBlank()) {
      return Map.of();
    }
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test PostgreSQL", e);
    }
    return Map.of(
        "quarkus.datasource.jdbc.url", postgres.getJdbcUrl("postgres", "postgres"),
        "quarkus.datasource.username", "postgres",
        "quarkus.datasource.password", "postgres");
  }

  @Override
  public void stop() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
