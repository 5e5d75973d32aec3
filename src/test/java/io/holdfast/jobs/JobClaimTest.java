package io.holdfast.jobs;

import static io.holdfast.testing.Sql.single;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.holdfast.worker.protocol.Protocol;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class JobClaimTest {

  @Inject JobService jobs;
  @Inject AgroalDataSource db;

  @Test
  void two_concurrent_claimers_assign_each_of_5000_jobs_exactly_once() throws Exception {
    String a = WorkerCalls.enrolled("claim-host");
    String b = WorkerCalls.enrolled("claim-host");
    long workerA = Long.parseLong(a.split("_")[1]);
    long workerB = Long.parseLong(b.split("_")[1]);
    long machine;
    try (Connection c = db.getConnection()) {
      machine = single(c, "select machine_id from worker where id = " + workerA);
      c.createStatement()
          .executeUpdate(
              "insert into repository (name, path, max_jobs, created_at) values ('claim-repo', '/tmp/none', 1000000, now())");
      long repo = single(c, "select id from repository where name = 'claim-repo'");
      c.createStatement()
          .executeUpdate(
              "insert into job (type, state, machine_id, repository_id, cause, requested_by, created_at, updated_at) "
                  + "select 'verify', 'queued', "
                  + machine
                  + ", "
                  + repo
                  + ", 'claim test', 'test', now(), now() from generate_series(1, 5000)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (long w : new long[] {workerA, workerB}) {
      results.add(
          pool.submit(
              () -> {
                List<Long> mine = new ArrayList<>();
                while (true) {
                  List<Protocol.JobOrder> got = jobs.claim(w, machine, 25, Integer.MAX_VALUE);
                  if (got.isEmpty()) {
                    return mine;
                  }
                  got.forEach(o -> mine.add(o.id()));
                }
              }));
    }
    List<Long> ofA = results.get(0).get();
    List<Long> ofB = results.get(1).get();
    pool.shutdown();
    Set<Long> all = new HashSet<>(ofA);
    all.addAll(ofB);
    assertThat(ofA.size() + ofB.size()).isEqualTo(5000);
    assertThat(all).hasSize(5000);
    assertThat(ofA).isNotEmpty();
    assertThat(ofB).isNotEmpty();
    try (Connection c = db.getConnection()) {
      assertThat(
              single(
                  c,
                  "select count(*) from job where machine_id = "
                      + machine
                      + " and state = 'assigned' and attempts = 1"))
          .isEqualTo(5000);
    }
  }

  @Test
  void a_finished_job_cannot_be_cancelled_and_a_running_one_cannot_be_retried() {
    String cred = WorkerCalls.enrolled("transitions");
    WorkerCalls.inventory(cred, "transitions", "/images/disk0.img");
    int machine =
        given()
            .auth()
            .preemptive()
            .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
            .get("/api/v1/machines?q=transitions")
            .then()
            .extract()
            .path("items[0].id");
    long job = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200);
    assertThatThrownBy(() -> jobs.retry(job, "test", RequestOrigin.SYSTEM))
        .hasMessageContaining("Only a failed or cancelled job");
    WorkerCalls.post(
            cred, "jobs/" + job + "/result", "{\"state\":\"failed\",\"error\":\"disk unreadable\"}")
        .statusCode(204);
    assertThat(jobs.get(job).orElseThrow().state()).isEqualTo(JobState.FAILED);
    assertThatThrownBy(() -> jobs.cancel(job, "test", RequestOrigin.SYSTEM))
        .hasMessageContaining("already ended");
    long again = jobs.retry(job, "test", RequestOrigin.SYSTEM);
    assertThat(jobs.get(again).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    // a second result for the ended job is kept out of its state
    WorkerCalls.post(cred, "jobs/" + job + "/result", "{\"state\":\"succeeded\"}").statusCode(204);
    assertThat(jobs.get(job).orElseThrow().state()).isEqualTo(JobState.FAILED);
  }

  @Test
  void a_repository_at_its_job_limit_gets_no_more_jobs() throws Exception {
    String cred = WorkerCalls.enrolled("repo-limit");
    long worker = Long.parseLong(cred.split("_")[1]);
    long machine;
    try (Connection c = db.getConnection()) {
      machine = single(c, "select machine_id from worker where id = " + worker);
      c.createStatement()
          .executeUpdate(
              "insert into repository (name, path, max_jobs, created_at) values ('one-at-a-time', '/tmp/none', 1, now())");
      long repo = single(c, "select id from repository where name = 'one-at-a-time'");
      c.createStatement()
          .executeUpdate(
              "insert into job (type, state, machine_id, repository_id, cause, requested_by, created_at, updated_at) "
                  + "select 'verify', 'queued', "
                  + machine
                  + ", "
                  + repo
                  + ", 'limit test', 'test', now(), now() from generate_series(1, 3)");
    }
    assertThat(jobs.claim(worker, machine, 3, 10)).hasSize(1);
    assertThat(jobs.claim(worker, machine, 3, 10)).isEmpty();
  }

  @Test
  void jobs_of_a_silent_worker_fail_as_worker_lost_and_are_queued_again() throws Exception {
    try (Connection c = db.getConnection()) {
      // other tests leave jobs running on the default repository; its limit is not under test here
      c.createStatement()
          .executeUpdate("update repository set max_jobs = 1000000 where name = 'default'");
    }
    String cred = WorkerCalls.enrolled("goes-silent");
    WorkerCalls.inventory(cred, "goes-silent", "/images/disk0.img");
    int machine =
        given()
            .auth()
            .preemptive()
            .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
            .get("/api/v1/machines?q=goes-silent")
            .then()
            .extract()
            .path("items[0].id");
    long job = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200);
    declareLost(Long.parseLong(cred.split("_")[1]), job);
    JobView after = jobs.get(job).orElseThrow();
    assertThat(after.state()).isEqualTo(JobState.QUEUED);
    assertThat(after.attempts()).isEqualTo(1);
    assertThat(jobs.logs(job, 0)).anyMatch(l -> l.message().startsWith("Worker lost"));
    // the second loss uses up the attempts: the job then stays failed
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200)
        .body("jobs[0].id", org.hamcrest.Matchers.equalTo((int) job));
    declareLost(Long.parseLong(cred.split("_")[1]), job, JobState.FAILED);
    assertThat(jobs.get(job).orElseThrow().error()).startsWith("Worker lost");
  }

  @Test
  void a_worker_declared_lost_that_comes_back_carries_on_with_its_attempt() throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate("update repository set max_jobs = 1000000 where name = 'default'");
    }
    TestMachine back = TestMachine.enrol(db, "comes-back");
    String cred = back.credential();
    long worker = Long.parseLong(cred.split("_")[1]);
    long machine = back.id();

    // back with a poll that still lists the job: assigned to it again, same attempt, not stopped
    long polled = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.claim(cred, polled);
    declareLost(worker, polled);
    WorkerCalls.post(
            cred, "poll", "{\"running\":[" + polled + "],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200)
        .body("cancel", org.hamcrest.Matchers.empty())
        .body("jobs", org.hamcrest.Matchers.empty());
    JobView carried = jobs.get(polled).orElseThrow();
    assertThat(carried.state()).isEqualTo(JobState.ASSIGNED);
    assertThat(carried.attempts()).isEqualTo(1);
    assertThat(jobs.logs(polled, 0)).anyMatch(l -> l.message().contains("is back"));
    WorkerCalls.succeedBackup(cred, polled, "20261203T120000Z-0000b0c1", 1 << 20);
    assertThat(jobs.get(polled).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

    // back with the result itself, before any poll: the image is catalogued once
    long reported = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.claim(cred, reported);
    declareLost(worker, reported);
    WorkerCalls.succeedBackup(cred, reported, "20261203T120000Z-0000b0c2", 1 << 20);
    JobView done = jobs.get(reported).orElseThrow();
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(1);
    // a second delivery of the same result (its answer was lost, say) adds nothing
    WorkerCalls.succeedBackup(cred, reported, "20261203T120000Z-0000b0c2", 1 << 20);
    try (Connection c = db.getConnection()) {
      assertThat(
              (long)
                  single(
                      c,
                      "select count(*) from image where manifest_id like '20261203T120000Z-0000b0c%'"))
          .isEqualTo(2);
    }

    // once another claim took the job, the lost worker has no say in it any more
    long retaken = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.claim(cred, retaken);
    declareLost(worker, retaken);
    String other = WorkerCalls.enrolled(back.name()); // a second worker of the same machine
    WorkerCalls.claim(other, retaken);
    WorkerCalls.post(cred, "jobs/" + retaken + "/result", "{\"state\":\"succeeded\"}")
        .statusCode(403);
    assertThat(jobs.get(retaken).orElseThrow().attempts()).isEqualTo(2);

    // lost on its last attempt the job fails for good; an image its worker still finishes is
    // catalogued all the same, the job staying failed
    WorkerCalls.succeedBackup(other, retaken, "20261203T120000Z-0000b0c3", 1 << 20);
    long lastTry = jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.claim(cred, lastTry);
    declareLost(worker, lastTry);
    WorkerCalls.claim(cred, lastTry);
    declareLost(worker, lastTry, JobState.FAILED);
    WorkerCalls.succeedBackup(cred, lastTry, "20261203T120000Z-0000b0c4", 1 << 20);
    JobView failed = jobs.get(lastTry).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.imageId()).isNotNull();
    assertThat(jobs.logs(lastTry, 0))
        .anyMatch(l -> l.message().contains("catalogued all the same"));
    try (Connection c = db.getConnection()) {
      assertThat(
              single(
                  c, "select count(*) from image where manifest_id = '20261203T120000Z-0000b0c4'"))
          .isEqualTo(1);
    }
  }

  /**
   * As the monitor does once the worker has been silent too long; waits for the requeue (the 1 s
   * monitor of the test profile may hold the row, SKIP LOCKED, and commit just after).
   */
  private void declareLost(long worker, long job) throws Exception {
    declareLost(worker, job, JobState.QUEUED);
  }

  /** The same, waiting for {@code then}: FAILED once the job has no attempt left. */
  private void declareLost(long worker, long job, JobState then) throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update worker set last_seen_at = now() - interval '10 minutes' where id = "
                  + worker);
    }
    jobs.failJobsOfLostWorkers();
    for (int i = 0; i < 50 && jobs.get(job).orElseThrow().state() != then; i++) {
      Thread.sleep(100);
    }
    assertThat(jobs.get(job).orElseThrow().state()).isEqualTo(then);
  }

  @Test
  void the_job_list_filters_by_creation_time_and_refuses_a_malformed_time() {
    String cred = WorkerCalls.enrolled("since-host");
    WorkerCalls.inventory(cred, "since-host", "/images/disk0.img");
    int machine =
        given()
            .auth()
            .preemptive()
            .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
            .get("/api/v1/machines?q=since-host")
            .then()
            .extract()
            .path("items[0].id");
    jobs.enqueueBackup(machine, null, "test", "test", RequestOrigin.SYSTEM);
    var admin = given().auth().preemptive().basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD);
    int recent =
        admin
            .get(
                "/api/v1/jobs?machine="
                    + machine
                    + "&since="
                    + java.time.Instant.now().minusSeconds(600))
            .then()
            .statusCode(200)
            .extract()
            .path("total");
    assertThat(recent).isEqualTo(1);
    int future =
        given()
            .auth()
            .preemptive()
            .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
            .get(
                "/api/v1/jobs?machine="
                    + machine
                    + "&since="
                    + java.time.Instant.now().plusSeconds(600))
            .then()
            .statusCode(200)
            .extract()
            .path("total");
    assertThat(future).isZero();
    given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .get("/api/v1/jobs?since=yesterday")
        .then()
        .statusCode(400)
        .body("detail", org.hamcrest.Matchers.containsString("ISO-8601"));
  }
}
