package io.holdfast.accounts;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.vaadin.flow.server.auth.AccessAnnotationChecker;
import io.holdfast.testing.TestUsers;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks every REST endpoint and every view against the role table in docs/roles.md. */
@QuarkusTest
class RoleMatrixTest {

  private static final String[] ROLES = {"admin", "operator", "helpdesk", "auditor"};
  private static final Map<String, String> USERS = new LinkedHashMap<>();

  /** One table row: what, then allowed per role in ROLES order. */
  record Row(String what, boolean[] allowed) {}

  /** RestAssured knows the app's random port only once a test method runs. */
  @BeforeEach
  void oneUserPerRole() {
    if (USERS.isEmpty()) {
      for (String role : ROLES) {
        USERS.put(role, TestUsers.create(role));
      }
    }
  }

  static List<Row> table(String heading) throws IOException {
    List<Row> rows = new ArrayList<>();
    boolean in = false;
    for (String line : Files.readAllLines(Path.of("docs/roles.md"))) {
      if (line.startsWith("## ")) {
        in = line.equals("## " + heading);
        continue;
      }
      if (!in || !line.startsWith("| ") || line.startsWith("|---") || line.contains("| admin |")) {
        continue;
      }
      String[] cells = line.split("\\|");
      boolean[] allowed = new boolean[ROLES.length];
      for (int i = 0; i < ROLES.length; i++) {
        String c = cells[i + 2].trim();
        assertThat(c).as("cell of %s", line).isIn("✔", "✘");
        allowed[i] = c.equals("✔");
      }
      rows.add(new Row(cells[1].trim(), allowed));
    }
    assertThat(rows).as("rows under ## %s", heading).isNotEmpty();
    return rows;
  }

  @Test
  void every_rest_endpoint_answers_each_role_as_the_table_says() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Row row : table("REST API")) {
      String[] parts = row.what().split(" ", 2);
      String method = parts[0];
      String path = parts[1].replace("{id}", "999999").replace("{username}", "no-such-user");
      for (int i = 0; i < ROLES.length; i++) {
        var req =
            given()
                .auth()
                .preemptive()
                .basic(USERS.get(ROLES[i]), TestUsers.PASSWORD)
                .contentType("application/json");
        int status =
            switch (method) {
              case "GET" -> req.get(path).statusCode();
              case "PATCH" -> req.body("{}").patch(path).statusCode();
              case "PUT" -> req.body("{}").put(path).statusCode();
              case "DELETE" -> req.delete(path).statusCode();
              default -> req.body("{}").post(path).statusCode();
            };
        boolean refused = status == 403 || status == 401;
        if (refused == row.allowed()[i]) {
          wrong.add(row.what() + " as " + ROLES[i] + " answered " + status);
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void every_endpoint_of_the_api_description_is_in_the_table() throws IOException {
    List<String> inTable = table("REST API").stream().map(Row::what).toList();
    Map<String, Map<String, Object>> paths =
        given().get("/q/openapi?format=json").then().statusCode(200).extract().path("paths");
    List<String> described = new ArrayList<>();
    paths.forEach(
        (path, operations) -> {
          if (path.startsWith("/api/v1/")) {
            operations.keySet().stream()
                .filter(m -> m.matches("get|post|put|patch|delete"))
                .forEach(m -> described.add(m.toUpperCase() + " " + path));
          }
        });
    assertThat(described).isNotEmpty();
    assertThat(inTable).containsExactlyInAnyOrderElementsOf(described);
  }

  @Test
  void every_view_is_open_to_exactly_the_roles_in_the_table() throws Exception {
    AccessAnnotationChecker checker = new AccessAnnotationChecker();
    List<String> wrong = new ArrayList<>();
    for (Row row : table("Views")) {
      Class<?> view = Class.forName(row.what());
      for (int i = 0; i < ROLES.length; i++) {
        String role = ROLES[i];
        Principal p = () -> "someone";
        boolean access = checker.hasAccess(view, p, r -> r.equals(role));
        if (access != row.allowed()[i]) {
          wrong.add(view.getSimpleName() + " as " + role + (access ? " is open" : " is closed"));
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void every_route_but_the_login_page_is_in_the_table() throws IOException {
    List<String> inTable = table("Views").stream().map(Row::what).toList();
    List<String> routes =
        new com.tngtech.archunit.core.importer.ClassFileImporter()
                .withImportOption(
                    com.tngtech.archunit.core.importer.ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.holdfast")
                .stream()
                .filter(c -> c.isAnnotatedWith(com.vaadin.flow.router.Route.class))
                .map(com.tngtech.archunit.core.domain.JavaClass::getName)
                .filter(n -> !n.endsWith(".LoginView"))
                .toList();
    assertThat(inTable).containsExactlyInAnyOrderElementsOf(routes);
  }
}
