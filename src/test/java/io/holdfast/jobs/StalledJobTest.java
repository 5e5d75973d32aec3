package io.holdfast.jobs;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** A job whose worker is in contact but that stopped moving fails as stalled, with the reason. */
@QuarkusTest
class StalledJobTest {

  @Inject AgroalDataSource db;
  @Inject JobService jobs;

  @Test
  void a_job_without_progress_for_half_an_hour_fails_and_its_worker_is_told_to_stop()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "stalled");
    String credential = m.credential();
    long machine = m.id();
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    long hung = backup(machine, "disk0");
    WorkerCalls.claim(credential, hung);
    progress(credential, hung, "imaging disk0", 1_000_000);

    // 31 minutes on, the worker still polls but the job has not moved
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set progress_at = now() - interval '31 minutes' where id = " + hung);
    }
    // the same bytes again are no progress
    progress(credential, hung, "imaging disk0", 1_000_000);
    pollReporting(credential, hung);
    jobs.failStalledJobs();

    JsonPath j = as(TestUsers.ADMIN).get("/api/v1/jobs/" + hung).then().extract().jsonPath();
    assertThat(j.getString("state")).isEqualTo("FAILED");
    assertThat(j.getString("error"))
        .startsWith("Stalled: no progress for 31 min (imaging disk0, 1000000 of 10000000 bytes)")
        .contains("it was told to stop the job");
    // at its next poll the worker hears that it should stop the job
    WorkerCalls.post(
            credential, "poll", "{\"running\":[" + hung + "],\"capacity\":0,\"waitSeconds\":0}")
        .statusCode(200)
        .body("cancel", hasItem((int) hung));

    // a job that moves on is left alone, however long it runs
    long moving = backup(machine, null);
    WorkerCalls.claim(credential, moving);
    progress(credential, moving, "imaging disk0", 1_000_000);
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set progress_at = now() - interval '31 minutes' where id = " + moving);
    }
    progress(credential, moving, "imaging disk0", 2_000_000);
    jobs.failStalledJobs();
    assertThat(
            as(TestUsers.ADMIN)
                .get("/api/v1/jobs/" + moving)
                .then()
                .extract()
                .jsonPath()
                .getString("state"))
        .isEqualTo("RUNNING");
    WorkerCalls.post(
            credential, "poll", "{\"running\":[" + moving + "],\"capacity\":0,\"waitSeconds\":0}")
        .statusCode(200)
        .body("cancel", not(hasItem((int) moving)));
  }

  private static long backup(long machine, String disk) {
    return ((Number)
            as(TestUsers.ADMIN)
                .body(
                    "{\"machine\":"
                        + machine
                        + (disk == null ? "" : ",\"disk\":\"" + disk + "\"")
                        + "}")
                .post("/api/v1/jobs/backup")
                .then()
                .statusCode(201)
                .extract()
                .path("job"))
        .longValue();
  }

  private static void progress(String credential, long job, String phase, long done) {
    WorkerCalls.post(
            credential,
            "jobs/" + job + "/progress",
            "{\"phase\":\""
                + phase
                + "\",\"bytesDone\":"
                + done
                + ",\"bytesTotal\":10000000,"
                + "\"rateBps\":0}")
        .statusCode(200);
  }

  /** The worker is in contact: it polls, saying it runs the job. */
  private static void pollReporting(String credential, long job) {
    WorkerCalls.post(
            credential, "poll", "{\"running\":[" + job + "],\"capacity\":0,\"waitSeconds\":0}")
        .statusCode(200);
  }
}
