package io.holdfast.accounts;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Browser;
import io.holdfast.testing.KeycloakServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console with Keycloak sign-in on, against a real Keycloak with the shipped realm export:
 * browsers sign in on Keycloak's own page, scripts use Keycloak access tokens, realm roles become
 * Holdfast roles, and signing out ends the Keycloak session too.
 */
class KeycloakSignInIT {

  static final String LOCAL_ADMIN_PASSWORD = "local-admin-password-kc";

  @TempDir static Path dataDir;
  static KeycloakServer keycloak;
  static AppProcess app;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    int consolePort = AppProcess.freePort();
    keycloak = KeycloakServer.start(consolePort);
    Map<String, String> env = new HashMap<>(keycloak.consoleEnvironment());
    env.put("HOLDFAST_LOCAL_WORKER_ENABLED", "false");
    env.put("HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD", LOCAL_ADMIN_PASSWORD);
    app = AppProcess.start(dataDir, env, consolePort);
    browser = new Browser();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (app != null) {
      app.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
  }

  @Test
  void every_realm_role_maps_to_its_holdfast_role_for_bearer_tokens() throws Exception {
    Map<String, String> expected =
        Map.of("ada", "admin", "otto", "operator", "hana", "helpdesk", "aude", "auditor");
    for (var e : expected.entrySet()) {
      String token = keycloak.accessToken(e.getKey(), e.getKey() + "-password");
      given()
          .baseUri(app.baseUrl())
          .auth()
          .oauth2(token)
          .get("/api/v1/me")
          .then()
          .statusCode(200)
          .body("username", equalTo(e.getKey()))
          .body("role", equalTo(e.getValue()));
    }
  }

  @Test
  void tokens_are_held_to_the_role_matrix_and_bad_tokens_are_refused() throws Exception {
    String helpdesk = keycloak.accessToken("hana", "hana-password");
    String admin = keycloak.accessToken("ada", "ada-password");
    given().baseUri(app.baseUrl()).auth().oauth2(admin).get("/api/v1/users").then().statusCode(200);
    given()
        .baseUri(app.baseUrl())
        .auth()
        .oauth2(helpdesk)
        .get("/api/v1/users")
        .then()
        .statusCode(403)
        .contentType(containsString("application/problem+json"));
    given()
        .baseUri(app.baseUrl())
        .auth()
        .oauth2(helpdesk)
        .get("/api/v1/audit")
        .then()
        .statusCode(403);
    given()
        .baseUri(app.baseUrl())
        .auth()
        .oauth2(helpdesk.substring(0, helpdesk.length() - 4) + "AAAA")
        .get("/api/v1/me")
        .then()
        .statusCode(401);
    given()
        .baseUri(app.baseUrl())
        .get("/api/v1/me")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Bearer"));
    // the local break-glass admin still works with HTTP Basic
    given()
        .baseUri(app.baseUrl())
        .auth()
        .preemptive()
        .basic("admin", LOCAL_ADMIN_PASSWORD)
        .get("/api/v1/me")
        .then()
        .statusCode(200)
        .body("role", equalTo("admin"));
  }

  @Test
  void helpdesk_signs_in_on_keycloaks_page_sees_only_their_views_and_signs_out_of_keycloak() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/");
    assertThat(page.locator("#sso-login")).isVisible();
    Browser.screenshot(page, "40-login-with-keycloak");
    page.locator("#sso-login").click();
    keycloakSignIn(page, "hana", "hana-password");

    assertThat(page.locator("#dashboard")).isVisible();
    assertThat(page.locator("#current-user")).hasText("hana");
    assertThat(page.locator("#current-role")).hasText("Helpdesk");
    assertThat(navItem(page, "Audit")).hasCount(0);
    assertThat(navItem(page, "Settings")).hasCount(0);
    Browser.screenshot(page, "42-keycloak-helpdesk-dashboard");
    page.navigate("/audit");
    assertThat(page.locator("#audit-view")).hasCount(0);

    page.navigate("/");
    page.locator("#logout").click();
    page.waitForURL(Pattern.compile(".*/login.*"));
    // the Keycloak session ended too: signing in again asks for the password again
    page.locator("#sso-login").click();
    assertThat(page.locator("#kc-login")).isVisible();
  }

  @Test
  void an_admin_signs_in_through_keycloak_and_the_audit_trail_shows_it() throws Exception {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    page.locator("#sso-login").click();
    keycloakSignIn(page, "ada", "ada-password");
    assertThat(page.locator("#current-user")).hasText("ada");
    assertThat(page.locator("#current-role")).hasText("Admin");
    page.navigate("/audit");
    assertThat(page.locator("#audit-view")).isVisible();
    assertThat(
            page.locator("vaadin-grid-cell-content")
                .filter(new Locator.FilterOptions().setHasText("via Keycloak"))
                .first())
        .isVisible();
    Browser.screenshot(page, "43-keycloak-admin-audit");

    String token = keycloak.accessToken("aude", "aude-password");
    List<String> signIns =
        given()
            .baseUri(app.baseUrl())
            .auth()
            .oauth2(token)
            .get("/api/v1/audit?action=signin&limit=100")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("items.actor", String.class);
    Assertions.assertThat(signIns).contains("ada");
    Assertions.assertThat(app.log()).doesNotContain("Could not remember");
  }

  private static void keycloakSignIn(Page page, String username, String password) {
    page.waitForSelector("#kc-login");
    page.locator("#username").fill(username);
    page.locator("#password").fill(password);
    Browser.screenshot(page, "41-keycloak-page-" + username);
    page.locator("#kc-login").click();
  }

  private static Locator navItem(Page page, String text) {
    return page.locator("vaadin-side-nav-item")
        .filter(new Locator.FilterOptions().setHasText(text));
  }
}
