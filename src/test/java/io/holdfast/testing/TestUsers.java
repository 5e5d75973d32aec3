package io.holdfast.testing;

import static io.restassured.RestAssured.given;

import java.util.concurrent.atomic.AtomicInteger;

/** Accounts for tests, created through the real API as the first admin. */
public final class TestUsers {

  public static final String ADMIN = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-for-tests";
  public static final String PASSWORD = "a-long-test-password";
  private static final AtomicInteger SEQ = new AtomicInteger();

  private TestUsers() {}

  /** Creates a fresh account with the given role and returns its username. */
  public static String create(String role) {
    String username = role + "-" + System.nanoTime() % 1_000_000 + "-" + SEQ.incrementAndGet();
    given()
        .auth()
        .preemptive()
        .basic(ADMIN, ADMIN_PASSWORD)
        .contentType("application/json")
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
}
