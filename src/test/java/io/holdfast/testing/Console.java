package io.holdfast.testing;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The console's REST API as an admin script would use it. */
public final class Console {

  private static final String SECOND_ADMIN_PASSWORD = "second-admin-password";
  private final String baseUrl;
  private final String password;

  public Console(String baseUrl, String password) {
    this.baseUrl = baseUrl;
    this.password = password;
  }

  public RequestSpecification as() {
    return given()
        .baseUri(baseUrl)
        .auth()
        .preemptive()
        .basic("admin", password)
        .contentType("application/json");
  }

  public String newToken() {
    return as().body("{\"note\":\"it\"}")
        .post("/api/v1/workers/tokens")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }

  public JsonPath get(String path) {
    return as().get(path).then().statusCode(200).extract().jsonPath();
  }

  public long post(String path, String body) {
    return ((Number) as().body(body).post(path).then().statusCode(201).extract().path("job"))
        .longValue();
  }

  /**
   * Asks for a restore as the admin and has a second admin approve it, the only way a restore runs;
   * returns the restore job's id.
   */
  public long restoreWithApproval(String requestJson) {
    if (as().get("/api/v1/users?limit=500")
            .then()
            .extract()
            .path("items.find { it.username == 'second-admin' }")
        == null) {
      as().body(
              "{\"username\":\"second-admin\",\"role\":\"ADMIN\",\"password\":\""
                  + SECOND_ADMIN_PASSWORD
                  + "\"}")
          .post("/api/v1/users")
          .then()
          .statusCode(201);
    }
    int id =
        as().body(requestJson).post("/api/v1/restores").then().statusCode(201).extract().path("id");
    return ((Number)
            given()
                .baseUri(baseUrl)
                .auth()
                .preemptive()
                .basic("second-admin", SECOND_ADMIN_PASSWORD)
                .contentType("application/json")
                .body("{\"comment\":\"approved by the test\"}")
                .post("/api/v1/restores/" + id + "/approve")
                .then()
                .statusCode(200)
                .extract()
                .path("jobId"))
        .longValue();
  }

  /**
   * Polls {@code path} until {@code done} holds, failing with the last answer after the timeout.
   */
  public JsonPath await(String path, Predicate<JsonPath> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonPath last = null;
    while (System.nanoTime() < deadline) {
      last = get(path);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "timed out waiting on "
            + path
            + "; last answer: "
            + (last == null ? null : last.prettify()));
  }

  /**
   * Waits until the worker on {@code hostname} has enrolled and reported its disks; returns the
   * machine id.
   */
  public long awaitMachine(String hostname) throws InterruptedException {
    long id =
        await(
                "/api/v1/machines?q=" + hostname,
                j -> j.getList("items").size() == 1,
                Duration.ofSeconds(60))
            .getLong("items[0].id");
    await("/api/v1/machines/" + id, j -> !j.getList("disks").isEmpty(), Duration.ofSeconds(60));
    return id;
  }

  /** Waits for a job to end and returns it. */
  public JsonPath awaitJobEnd(long job, Duration timeout) throws InterruptedException {
    return await(
        "/api/v1/jobs/" + job,
        j -> {
          String s = j.getString("state");
          return s.equals("SUCCEEDED") || s.equals("FAILED") || s.equals("CANCELLED");
        },
        timeout);
  }

  /**
   * Starts a job ({@code POST path}) and waits for it to succeed, failing with the job and {@code
   * context} (a worker's log, say) otherwise; returns the finished job.
   */
  public JsonPath runJob(String path, String body, Duration timeout, Supplier<String> context)
      throws InterruptedException {
    JsonPath done = awaitJobEnd(post(path, body), timeout);
    assertSucceeded(done, context);
    return done;
  }

  /**
   * Restores an image, or one partition of it when {@code partition} is not null, to {@code target}
   * on {@code machine}, approved by a second admin, and waits for it to succeed.
   */
  public void restore(
      long image, long machine, Path target, Integer partition, Supplier<String> context)
      throws InterruptedException {
    long job =
        restoreWithApproval(
            "{\"image\":"
                + image
                + (partition == null ? "" : ",\"partition\":" + partition)
                + ",\"targetMachine\":"
                + machine
                + ",\"target\":\""
                + target
                + "\",\"reason\":\"test restore\"}");
    assertSucceeded(awaitJobEnd(job, Duration.ofSeconds(60)), context);
  }

  private static void assertSucceeded(JsonPath job, Supplier<String> context) {
    if (!"SUCCEEDED".equals(job.getString("state"))) {
      throw new AssertionError("job did not succeed: " + job.prettify() + "\n" + context.get());
    }
  }
}
