package io.holdfast.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.holdfast.testing.AppProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged app started the way the README says, on an empty machine and on a restart. */
class AppLaunchIT {

  @TempDir Path dataDir;

  @Test
  void a_fresh_start_runs_embedded_postgres_prints_the_admin_password_and_a_restart_keeps_data()
      throws Exception {
    String password;
    try (AppProcess app = AppProcess.start(dataDir, Map.of())) {
      System.out.printf("cold start of the packaged app: %d ms%n", app.startTime().toMillis());
      password = app.generatedAdminPassword();
      assertThat(app.log()).contains("Embedded PostgreSQL ready");
      assertThat(Files.isDirectory(dataDir.resolve("postgres"))).isTrue();
      given()
          .baseUri(app.baseUrl())
          .auth()
          .preemptive()
          .basic("admin", password)
          .get("/api/v1/me")
          .then()
          .statusCode(200)
          .body("role", equalTo("admin"));
    }
    try (AppProcess again = AppProcess.start(dataDir, Map.of())) {
      assertThat(again.log()).doesNotContain("First start");
      given()
          .baseUri(again.baseUrl())
          .auth()
          .preemptive()
          .basic("admin", password)
          .get("/api/v1/me")
          .then()
          .statusCode(200);
      // the sign-in of the first run is still on the audit trail
      given()
          .baseUri(again.baseUrl())
          .auth()
          .preemptive()
          .basic("admin", password)
          .get("/api/v1/audit?action=user.create")
          .then()
          .statusCode(200)
          .body("total", equalTo(1));
    }
  }

  @Test
  void a_configured_external_database_is_used_and_the_embedded_one_is_not_started()
      throws Exception {
    try (EmbeddedPostgres external = EmbeddedPostgres.builder().start()) {
      Map<String, String> env =
          Map.of(
              "QUARKUS_DATASOURCE_JDBC_URL", external.getJdbcUrl("postgres", "postgres"),
              "QUARKUS_DATASOURCE_USERNAME", "postgres",
              "QUARKUS_DATASOURCE_PASSWORD", "postgres",
              "HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD", "external-db-admin-pw");
      try (AppProcess app = AppProcess.start(dataDir, env)) {
        assertThat(app.log()).contains("the embedded one is not started");
        assertThat(dataDir.resolve("postgres")).doesNotExist();
        given()
            .baseUri(app.baseUrl())
            .auth()
            .preemptive()
            .basic("admin", "external-db-admin-pw")
            .get("/api/v1/me")
            .then()
            .statusCode(200);
      }
      try (var c = external.getPostgresDatabase().getConnection();
          var rs = c.createStatement().executeQuery("select count(*) from app_user")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
