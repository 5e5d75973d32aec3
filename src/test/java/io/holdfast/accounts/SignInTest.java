package io.holdfast.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.holdfast.audit.AuditEventView;
import io.holdfast.audit.AuditFilter;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SignInTest {

  @Inject AuditService audit;

  @Test
  void the_api_answers_401_without_credentials() {
    given()
        .get("/api/v1/me")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("Basic"));
  }

  @Test
  void the_first_admin_can_call_the_api() {
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/me")
        .then()
        .statusCode(200)
        .body("username", equalTo("admin"))
        .body("role", equalTo("admin"));
  }

  @Test
  void a_helpdesk_user_gets_403_problem_json_on_an_admin_endpoint() {
    String helpdesk = TestUsers.create("helpdesk");
    given()
        .auth()
        .preemptive()
        .basic(helpdesk, TestUsers.PASSWORD)
        .get("/api/v1/users")
        .then()
        .statusCode(403)
        .contentType(startsWith("application/problem+json"))
        .body("title", equalTo("Not allowed for your role"));
  }

  @Test
  void creating_a_user_with_a_short_password_is_refused_with_a_clear_message() {
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"username\":\"shorty\",\"role\":\"HELPDESK\",\"password\":\"short\"}")
        .post("/api/v1/users")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", equalTo("A password needs at least 12 characters."));
  }

  @Test
  void a_malformed_body_gets_problem_json() {
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"username\": ")
        .post("/api/v1/users")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"));
  }

  @Test
  void a_wrong_password_is_refused_and_audited() {
    String user = TestUsers.create("operator");
    formLogin(user, "not-the-password")
        .then()
        .statusCode(302)
        .header("Location", containsString("/login?error"))
        .cookie("holdfast-signin-problem", "credentials");
    List<AuditEventView> events = audit.page(new AuditFilter(user, "signin"), 0, 10);
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditOutcome.FAILURE);
              assertThat(e.details()).contains("wrong password");
            });
  }

  @Test
  void five_failures_in_a_row_lock_the_account_even_for_the_right_password() {
    String user = TestUsers.create("helpdesk");
    for (int i = 0; i < 4; i++) {
      formLogin(user, "wrong-" + i).then().cookie("holdfast-signin-problem", "credentials");
    }
    formLogin(user, "wrong-5").then().statusCode(302).cookie("holdfast-signin-problem", "locked");
    formLogin(user, TestUsers.PASSWORD)
        .then()
        .statusCode(302)
        .header("Location", containsString("/login?error"))
        .cookie("holdfast-signin-problem", "locked");
    given()
        .auth()
        .preemptive()
        .basic(user, TestUsers.PASSWORD)
        .get("/api/v1/me")
        .then()
        .statusCode(401);
    assertThat(audit.page(new AuditFilter(user, "signin"), 0, 20))
        .anySatisfy(e -> assertThat(e.outcome()).isEqualTo(AuditOutcome.DENIED));
  }

  @Test
  void a_successful_sign_in_sets_the_session_cookie_and_sign_out_clears_it() {
    String user = TestUsers.create("auditor");
    Response login = formLogin(user, TestUsers.PASSWORD);
    login.then().statusCode(302);
    String session = login.getCookie("holdfast-session");
    assertThat(session).isNotBlank();

    given()
        .redirects()
        .follow(false)
        .cookie("holdfast-session", session)
        .get("/logout")
        .then()
        .statusCode(303)
        .header("Location", containsString("/login"))
        .cookie("holdfast-session", "");
    List<AuditEventView> events = audit.page(new AuditFilter(user, "sign"), 0, 10);
    assertThat(events).extracting(AuditEventView::action).contains("signin", "signout");
  }

  private static Response formLogin(String username, String password) {
    return given()
        .redirects()
        .follow(false)
        .formParam("username", username)
        .formParam("password", password)
        .post("/j_security_check");
  }
}
