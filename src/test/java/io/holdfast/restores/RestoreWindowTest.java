package io.holdfast.restores;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.holdfast.jobs.JobService;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restore asked for "after office hours" waits for its window, and is called off if it closes.
 */
@QuarkusTest
class RestoreWindowTest {

  @Inject AgroalDataSource db;
  @Inject JobService jobs;
  ImageFixture fixture;

  @BeforeEach
  void anImage() throws Exception {
    fixture = ImageFixture.create(db);
  }

  private String requestBody(Instant start, Instant end) {
    String body = fixture.restoreRequest(2, "/restore/window.img");
    return body.substring(0, body.length() - 1)
        + ",\"windowStart\":\""
        + start
        + "\",\"windowEnd\":\""
        + end
        + "\"}";
  }

  @Test
  void an_approved_restore_waits_for_its_window_and_is_cancelled_when_the_window_closes()
      throws Exception {
    Instant start = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    Instant end = start.plus(2, ChronoUnit.HOURS);
    String helpdesk = TestUsers.create("helpdesk");
    int id =
        as(helpdesk, TestUsers.PASSWORD)
            .body(requestBody(start, end))
            .post("/api/v1/restores")
            .then()
            .statusCode(201)
            .body("state", equalTo("pending"))
            .body("windowStart", equalTo(start.toString()))
            .body("expiresAt", equalTo(end.toString()))
            .body("overwrites", containsString("It will start between"))
            .extract()
            .path("id");
    int job = approve(id);

    List<Integer> handedOut = pollForJobs();
    assertThat(handedOut).as("not before the window opens").doesNotContain(job);

    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set not_before = now() - interval '2 hours',"
                  + " not_after = now() - interval '1 minute' where id = "
                  + job);
    }
    assertThat(jobs.cancelMissedWindows()).isGreaterThanOrEqualTo(1);
    as(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/jobs/" + job)
        .then()
        .body("state", equalTo("CANCELLED"))
        .body("error", containsString("time window closed"));
    as(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/restores/" + id)
        .then()
        .body("jobState", equalTo("cancelled"));
  }

  @Test
  void an_open_window_lets_the_worker_take_the_restore() {
    Instant start = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    String helpdesk = TestUsers.create("helpdesk");
    int id =
        as(helpdesk, TestUsers.PASSWORD)
            .body(requestBody(start, start.plus(1, ChronoUnit.HOURS)))
            .post("/api/v1/restores")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    int job = approve(id);
    List<Integer> handedOut = pollForJobs();
    assertThat(handedOut).contains(job);
  }

  @Test
  void a_window_that_ends_before_it_starts_or_in_the_past_is_refused() {
    String helpdesk = TestUsers.create("helpdesk");
    Instant now = Instant.now();
    as(helpdesk, TestUsers.PASSWORD)
        .body(requestBody(now.plus(2, ChronoUnit.HOURS), now.plus(1, ChronoUnit.HOURS)))
        .post("/api/v1/restores")
        .then()
        .statusCode(400)
        .body("detail", containsString("must end after it starts"));
    as(helpdesk, TestUsers.PASSWORD)
        .body(requestBody(now.minus(2, ChronoUnit.HOURS), now.minus(1, ChronoUnit.HOURS)))
        .post("/api/v1/restores")
        .then()
        .statusCode(400)
        .body("detail", containsString("ends in the past"));
  }

  private static int approve(int request) {
    return as(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .body("{}")
        .post("/api/v1/restores/" + request + "/approve")
        .then()
        .statusCode(200)
        .extract()
        .path("jobId");
  }

  /** The ids of the jobs one poll of the fixture's worker is handed. */
  private List<Integer> pollForJobs() {
    return WorkerCalls.post(
            fixture.credential(), "poll", "{\"running\":[],\"capacity\":4,\"waitSeconds\":0}")
        .statusCode(200)
        .extract()
        .path("jobs.id");
  }
}
