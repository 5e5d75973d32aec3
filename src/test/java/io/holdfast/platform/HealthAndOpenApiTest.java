package io.holdfast.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthAndOpenApiTest {

  @Test
  void liveness_is_up() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void readiness_includes_the_database() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem(containsString("Database")));
  }

  @Test
  void openapi_describes_the_api() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(containsString("/api/v1/me"))
        .body(containsString("/api/v1/audit"));
  }

  @Test
  void an_unknown_api_path_gets_problem_json_not_a_web_page() {
    given()
        .auth()
        .preemptive()
        .basic(io.holdfast.testing.TestUsers.ADMIN, io.holdfast.testing.TestUsers.ADMIN_PASSWORD)
        .post("/api/v1/machines/1/nonsense")
        .then()
        .statusCode(404)
        .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
        .body("detail", containsString("see /q/openapi"));
  }
}
