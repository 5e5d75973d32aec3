package io.holdfast.workers;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class WorkerApiTest {

  @Inject AgroalDataSource db;

  @Test
  void a_valid_token_enrols_once_and_never_again() {
    String token = WorkerCalls.newToken();
    WorkerCalls.enrol(token, "enrol-once")
        .statusCode(200)
        .body("credential", startsWith("hfw_"))
        .body("machine", equalTo("enrol-once"));
    WorkerCalls.enrol(token, "enrol-once")
        .statusCode(401)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("already used"));
  }

  @Test
  void an_expired_token_is_refused_with_a_clear_message() throws Exception {
    String token = WorkerCalls.newToken();
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update enrolment_token set expires_at = now() - interval '1 minute' where used_at is null");
    }
    WorkerCalls.enrol(token, "too-late").statusCode(401).body("detail", containsString("expired"));
  }

  @Test
  void an_unknown_or_revoked_credential_gets_401_problem_json() {
    WorkerCalls.post(
            "hfw_999999_nonsense", "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(401)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("enrol this worker again"));
    given()
        .contentType("application/json")
        .body("{}")
        .post("/api/worker/v1/poll")
        .then()
        .statusCode(401);

    String cred = WorkerCalls.enrolled("to-revoke");
    long workerId = Long.parseLong(cred.split("_")[1]);
    // a poll first, so the credential is among those trusted without a query for a few seconds
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200);
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .post("/api/v1/workers/" + workerId + "/revoke")
        .then()
        .statusCode(204);
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(401)
        .body("detail", containsString("revoked"));
  }

  @Test
  void a_job_queued_right_after_an_empty_poll_is_handed_out_by_the_next_poll() throws Exception {
    try (var c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    String host = "quiet-" + System.nanoTime();
    String cred = WorkerCalls.enrolled(host);
    WorkerCalls.inventory(cred, host, "/dev/vdq");
    String poll = "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}";
    WorkerCalls.post(cred, "poll", poll)
        .statusCode(200)
        .body("jobs", org.hamcrest.Matchers.empty());
    int machine = machineId(host);
    int job = queueBackup(machine);
    WorkerCalls.post(cred, "poll", poll)
        .statusCode(200)
        .body("jobs.id", org.hamcrest.Matchers.contains(job));
  }

  @Test
  void a_malformed_body_gets_400_problem_json() {
    String cred = WorkerCalls.enrolled("malformed");
    WorkerCalls.post(cred, "poll", "{\"running\": [oops")
        .statusCode(400)
        .contentType(startsWith("application/problem+json"));
    WorkerCalls.post(cred, "jobs/1/result", "{}")
        .statusCode(400)
        .contentType(startsWith("application/problem+json"));
  }

  @Test
  void people_cannot_use_the_worker_api_and_workers_cannot_use_the_people_api() {
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .post("/api/worker/v1/poll")
        .then()
        .statusCode(401);
    String cred = WorkerCalls.enrolled("no-people-api");
    given()
        .header("Authorization", "Bearer " + cred)
        .get("/api/v1/machines")
        .then()
        .statusCode(401);
  }

  @Test
  void inventory_creates_the_machine_with_its_disks() {
    String cred = WorkerCalls.enrolled("inventory-host");
    WorkerCalls.inventory(cred, "inventory-host", "/images/disk0.img");
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/machines?q=inventory-host")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].online", equalTo(true));
  }

  @Test
  void an_idle_poll_waits_then_answers_empty_and_a_queued_job_wakes_it_at_once() throws Exception {
    String cred = WorkerCalls.enrolled("poller");
    WorkerCalls.inventory(cred, "poller", "/images/disk0.img");
    long t0 = System.nanoTime();
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":1}")
        .statusCode(200)
        .body("jobs", empty());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(900);

    int machine = machineId("poller");
    CompletableFuture<String> poll =
        CompletableFuture.supplyAsync(
            () ->
                WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":20}")
                    .statusCode(200)
                    .extract()
                    .asString());
    Thread.sleep(500);
    long t1 = System.nanoTime();
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"machine\":" + machine + "}")
        .post("/api/v1/jobs/backup")
        .then()
        .statusCode(201);
    String answer = poll.get(10, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)).isLessThan(5000);
    assertThat(answer).contains("\"type\":\"backup\"").contains("/images/disk0.img");
  }

  @Test
  void progress_for_a_job_that_is_not_the_workers_own_is_forbidden() {
    String owner = WorkerCalls.enrolled("owner-host");
    WorkerCalls.inventory(owner, "owner-host", "/images/disk0.img");
    String other = WorkerCalls.enrolled("other-host");
    int machine = machineId("owner-host");
    int job = queueBackup(machine);
    WorkerCalls.post(owner, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200)
        .body("jobs", hasSize(1));
    WorkerCalls.post(
            other,
            "jobs/" + job + "/progress",
            "{\"phase\":\"imaging\",\"bytesDone\":1,\"bytesTotal\":2,\"rateBps\":1}")
        .statusCode(403)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("not assigned to this worker"));
    WorkerCalls.post(
            owner,
            "jobs/" + job + "/progress",
            "{\"phase\":\"imaging\",\"bytesDone\":1,\"bytesTotal\":2,\"rateBps\":1}")
        .statusCode(200)
        .body("cancel", equalTo(false));
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/jobs/" + job)
        .then()
        .body("state", equalTo("RUNNING"))
        .body("bytesDone", equalTo(1));
  }

  @Test
  void a_cancelled_running_job_is_signalled_to_its_worker_on_the_next_progress_and_poll() {
    String cred = WorkerCalls.enrolled("cancel-host");
    WorkerCalls.inventory(cred, "cancel-host", "/images/disk0.img");
    int machine = machineId("cancel-host");
    int job = queueBackup(machine);
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200)
        .body("jobs", hasSize(1));
    String progress = "{\"phase\":\"imaging\",\"bytesDone\":1,\"bytesTotal\":2,\"rateBps\":1}";
    WorkerCalls.post(cred, "jobs/" + job + "/progress", progress)
        .statusCode(200)
        .body("cancel", equalTo(false));
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .post("/api/v1/jobs/" + job + "/cancel")
        .then()
        .statusCode(204);
    WorkerCalls.post(cred, "jobs/" + job + "/progress", progress)
        .statusCode(200)
        .body("cancel", equalTo(true));
    WorkerCalls.post(cred, "poll", "{\"running\":[" + job + "],\"capacity\":0,\"waitSeconds\":0}")
        .statusCode(200)
        .body("cancel", org.hamcrest.Matchers.contains(job));
    WorkerCalls.post(
            cred,
            "jobs/" + job + "/result",
            "{\"state\":\"cancelled\",\"error\":\"Cancelled on request.\"}")
        .statusCode(204);
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/jobs/" + job)
        .then()
        .body("state", equalTo("CANCELLED"));
  }

  private static int machineId(String host) {
    return given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/machines?q=" + host)
        .then()
        .extract()
        .path("items[0].id");
  }

  private static int queueBackup(int machine) {
    return given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"machine\":" + machine + "}")
        .post("/api/v1/jobs/backup")
        .then()
        .statusCode(201)
        .extract()
        .path("job");
  }
}
