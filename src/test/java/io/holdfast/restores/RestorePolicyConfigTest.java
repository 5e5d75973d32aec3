package io.holdfast.restores;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A site that lets one data partition go back onto its own machine without a second person, and
 * lets operators approve the rest.
 */
@QuarkusTest
@TestProfile(RestorePolicyConfigTest.Lenient.class)
class RestorePolicyConfigTest {

  public static class Lenient implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "holdfast.restores.policy.data-partition", "auto",
          "holdfast.restores.approver-roles", "operator");
    }
  }

  @Inject AgroalDataSource db;
  ImageFixture fixture;

  @BeforeEach
  void anImage() throws Exception {
    fixture = ImageFixture.create(db);
  }

  @Test
  void a_data_partition_onto_its_own_machine_is_approved_by_policy_and_audited_as_such() {
    String helpdesk = TestUsers.create("helpdesk");
    int id =
        as(helpdesk)
            .body(fixture.restoreRequest(2, "/restore/data.img"))
            .post("/api/v1/restores")
            .then()
            .statusCode(201)
            .body("state", equalTo("approved"))
            .body("risk", equalTo("low"))
            .body("autoApproved", equalTo(true))
            .body("decidedBy", equalTo("policy"))
            .body("jobId", notNullValue())
            .extract()
            .path("id");
    List<Map<String, Object>> events =
        as(TestUsers.create("auditor"))
            .get("/api/v1/audit?object=restore-request " + id + "&limit=50")
            .then()
            .statusCode(200)
            .extract()
            .path("items");
    assertThat(events)
        .extracting(e -> e.get("action") + " by " + e.get("actor"))
        .contains("restore.request by " + helpdesk, "restore.auto-approve by policy");
  }

  @Test
  void a_system_partition_still_waits_and_an_operator_may_approve_it() {
    String helpdesk = TestUsers.create("helpdesk");
    int id =
        as(helpdesk)
            .body(fixture.restoreRequest(1, "/restore/esp.img"))
            .post("/api/v1/restores")
            .then()
            .statusCode(201)
            .body("state", equalTo("pending"))
            .body("risk", equalTo("high"))
            .body("riskReasons", containsString("system partition"))
            .extract()
            .path("id");
    as(TestUsers.create("helpdesk"))
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(403)
        .body("detail", containsString("Only an admin or an approver"));
    as(TestUsers.create("operator"))
        .body("{\"comment\":\"checked with the owner\"}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(200)
        .body("state", equalTo("approved"))
        .body("autoApproved", equalTo(false));
  }
}
