package io.holdfast.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.holdfast.platform.RequestOrigin;
import io.holdfast.platform.Role;
import io.holdfast.testing.TestUsers;
import io.quarkus.test.TestTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admins change roles, disable and enable accounts and reset passwords; each step is audited. */
@QuarkusTest
class UserManagementTest {

  @Inject AccountService accounts;

  private static int meStatus(String user, String password) {
    return given().auth().preemptive().basic(user, password).get("/api/v1/me").statusCode();
  }

  @Test
  void a_new_role_applies_to_the_next_request_and_is_audited_with_before_and_after() {
    String user = TestUsers.create("helpdesk");
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"role\":\"OPERATOR\"}")
        .patch("/api/v1/users/" + user)
        .then()
        .statusCode(200)
        .body("role", equalTo("OPERATOR"));
    given()
        .auth()
        .preemptive()
        .basic(user, TestUsers.PASSWORD)
        .get("/api/v1/me")
        .then()
        .body("role", equalTo("operator"));
    List<Map<String, Object>> events =
        TestUsers.as(TestUsers.ADMIN)
            .get("/api/v1/audit?action=user.role&limit=500")
            .then()
            .statusCode(200)
            .extract()
            .path("items.findAll { it.objectId == '" + user + "' }");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("details"))
        .isEqualTo("{\"before\":{\"role\":\"helpdesk\"},\"after\":{\"role\":\"operator\"}}");
    assertThat(events.get(0).get("actor")).isEqualTo(TestUsers.ADMIN);
  }

  @Test
  void a_disabled_account_is_refused_until_enabled_again() {
    String user = TestUsers.create("auditor");
    assertThat(meStatus(user, TestUsers.PASSWORD)).isEqualTo(200);
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"enabled\":false}")
        .patch("/api/v1/users/" + user)
        .then()
        .statusCode(200)
        .body("enabled", equalTo(false));
    assertThat(meStatus(user, TestUsers.PASSWORD)).isEqualTo(401);
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"enabled\":true}")
        .patch("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    assertThat(meStatus(user, TestUsers.PASSWORD)).isEqualTo(200);
    List<String> actions =
        TestUsers.as(TestUsers.ADMIN)
            .get("/api/v1/audit?limit=500")
            .then()
            .extract()
            .path("items.findAll { it.objectId == '" + user + "' }.action");
    assertThat(actions).contains("user.disable", "user.enable");
  }

  @Test
  void a_password_reset_replaces_the_old_password_and_lifts_a_lockout() {
    String user = TestUsers.create("operator");
    for (int i = 0; i < 5; i++) {
      assertThat(meStatus(user, "wrong-password-" + i)).isEqualTo(401);
    }
    assertThat(meStatus(user, TestUsers.PASSWORD)).as("locked out").isEqualTo(401);
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"password\":\"a-brand-new-password\"}")
        .post("/api/v1/users/" + user + "/password")
        .then()
        .statusCode(200)
        .body("lockedUntil", equalTo(null));
    assertThat(meStatus(user, TestUsers.PASSWORD)).isEqualTo(401);
    assertThat(meStatus(user, "a-brand-new-password")).isEqualTo(200);
    String details =
        TestUsers.as(TestUsers.ADMIN)
            .get("/api/v1/audit?action=user.password-reset&limit=500")
            .then()
            .extract()
            .path("items.find { it.objectId == '" + user + "' }.details");
    assertThat(details).isEqualTo("password reset; lockout lifted").doesNotContain("brand-new");
  }

  @Test
  void bad_changes_are_refused_with_a_message_a_person_can_act_on() {
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"password\":\"short\"}")
        .post("/api/v1/users/" + TestUsers.create("helpdesk") + "/password")
        .then()
        .statusCode(400)
        .body("detail", containsString("at least 12 characters"));
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"enabled\":false}")
        .patch("/api/v1/users/" + TestUsers.ADMIN)
        .then()
        .statusCode(409)
        .contentType(containsString("application/problem+json"))
        .body("detail", containsString("your own account"));
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"role\":\"HELPDESK\"}")
        .patch("/api/v1/users/nobody-by-this-name")
        .then()
        .statusCode(404)
        .body("detail", containsString("no local account named nobody-by-this-name"));
    TestUsers.as(TestUsers.ADMIN)
        .body("{}")
        .patch("/api/v1/users/" + TestUsers.ADMIN)
        .then()
        .statusCode(400);
  }

  @Test
  @TestTransaction // rolled back: other tests keep their admins
  void the_last_enabled_admin_can_be_neither_demoted_nor_disabled() {
    RequestOrigin here = new RequestOrigin("127.0.0.1", "test");
    for (UserSummary u : accounts.page(0, 10_000)) {
      if (u.role() == Role.ADMIN && u.enabled() && !u.username().equals(TestUsers.ADMIN)) {
        accounts.setEnabled(u.username(), false, TestUsers.ADMIN, here);
      }
    }
    assertThatThrownBy(
            () -> accounts.changeRole(TestUsers.ADMIN, Role.AUDITOR, "someone-else", here))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only enabled admin");
    assertThatThrownBy(() -> accounts.setEnabled(TestUsers.ADMIN, false, "someone-else", here))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("only enabled admin");
    assertThat(accounts.findActive(TestUsers.ADMIN))
        .get()
        .extracting(UserSummary::role)
        .isEqualTo(Role.ADMIN);
  }
}
