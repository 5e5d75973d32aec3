package io.holdfast.testing;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.util.concurrent.atomic.AtomicInteger;

/** Accounts for tests, created through the real API as the first admin, and requests as them. */
public final class TestUsers {

  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-for-tests";
  public static final String PASSWORD = "a-long-test-password";
  private static final AtomicInteger SEQ = new AtomicInteger();

  private TestUsers() {}

  /** Creates a fresh account with the given role and returns its username. */
  public static String create(String role) {
    String username = role + "-" + System.nanoTime() % 1_000_000 + "-" + SEQ.incrementAndGet();
    as(ADMIN)
        .body(
            """
            {"username":"%s","displayName":"Test %s","role":"%s","password":"%s"}
            """
                .formatted(username, role, role.toUpperCase(), PASSWORD))
        .post("/api/v1/users")
        .then()
        .statusCode(201);
    return username;
  }

  /** Creates a fresh account with the given role and mail address; returns its username. */
  public static String createWithEmail(String role, String email) {
    String user = create(role);
    as(ADMIN)
        .body("{\"email\":\"" + email + "\"}")
        .patch("/api/v1/users/" + user)
        .then()
        .statusCode(200);
    return user;
  }

  /**
   * A JSON request signed in (HTTP Basic) as a test account: the first admin with its password, any
   * other with {@link #PASSWORD}.
   */
  public static RequestSpecification as(String user) {
    return as(user, user.equals(ADMIN) ? ADMIN_PASSWORD : PASSWORD);
  }

  /** A JSON request signed in (HTTP Basic) with this username and password. */
  public static RequestSpecification as(String user, String password) {
    return given().auth().preemptive().basic(user, password).contentType("application/json");
  }
}
