package io.holdfast.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import io.holdfast.platform.RequestOrigin;
import io.holdfast.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditExportTest {

  @Inject AuditService audit;

  @Test
  void an_auditor_exports_csv_and_json_and_the_export_is_audited() {
    String auditor = TestUsers.create("auditor");
    audit.record(
        AuditEntry.of("export-test", "test.event", AuditOutcome.SUCCESS, RequestOrigin.SYSTEM)
            .withDetails("comma, \"quote\"\nand a new line"));
    String csv =
        given()
            .auth()
            .preemptive()
            .basic(auditor, TestUsers.PASSWORD)
            .get("/api/v1/audit/export?format=csv&actor=export-test")
            .then()
            .statusCode(200)
            .contentType(startsWith("text/csv"))
            .header("Content-Disposition", containsString("holdfast-audit-"))
            .extract()
            .asString();
    assertThat(csv).startsWith("id,occurred_at,actor,action");
    assertThat(csv).contains("\"comma, \"\"quote\"\"\nand a new line\"");
    given()
        .auth()
        .preemptive()
        .basic(auditor, TestUsers.PASSWORD)
        .get("/api/v1/audit/export?format=json&actor=export-test")
        .then()
        .statusCode(200)
        .contentType(startsWith("application/json"))
        .body("[0].actor", org.hamcrest.Matchers.equalTo("export-test"));
    assertThat(audit.page(new AuditFilter(auditor, "audit.export"), 0, 10)).hasSize(2);
  }

  @Test
  void an_unknown_format_is_refused_clearly() {
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/audit/export?format=xml")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("csv or json"));
  }

  @Test
  void a_spreadsheet_formula_in_a_field_is_defused() {
    assertThat(AuditService.cell("=HYPERLINK(\"x\")")).startsWith("\"'=");
    assertThat(AuditService.cell("plain")).isEqualTo("plain");
  }
}
