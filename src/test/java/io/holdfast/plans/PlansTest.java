package io.holdfast.plans;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.Sql.text;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Backup plans as the console keeps and runs them: who may change them, what it refuses and how it
 * says so, and the schedule queueing each due backup once, passing over a due time while the
 * previous backup still runs, verifying after a backup when asked. The test profile does not tick
 * the schedule; the tests call it at the instants they choose.
 */
@QuarkusTest
class PlansTest {

  @Inject AgroalDataSource db;
  @Inject PlanService plans;

  static String spec(String name, long machine, String disk, String schedule, boolean verify) {
    return """
        {"name":"%s","machine":%d,"disk":%s,"schedule":"%s","timeZone":"UTC","verifyAfter":%s}
        """
        .formatted(name, machine, disk == null ? "null" : "\"" + disk + "\"", schedule, verify);
  }

  @Test
  void operators_make_and_change_plans_others_read_them_and_bad_input_is_explained()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "crud");
    String operator = TestUsers.create("operator");
    String name = "Nightly " + m.name();
    JsonPath made =
        as(operator)
            .body(spec(name, m.id(), "disk0", "0 2 * * *", false))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .header("Location", containsString("/api/v1/plans/"))
            .extract()
            .jsonPath();
    long id = made.getLong("id");
    assertThat(made.getString("machine")).isEqualTo(m.name());
    assertThat(made.getString("disk")).isEqualTo("disk0");
    assertThat(made.getString("repository")).isEqualTo("default");
    assertThat(made.getBoolean("enabled")).isTrue();
    assertThat(made.getString("compression")).isEqualTo("fast");
    assertThat(made.getInt("retries")).isEqualTo(2);
    assertThat(made.getInt("retryWaitMinutes")).isEqualTo(10);
    Instant next = Instant.parse(made.getString("nextRun"));
    assertThat(next).isAfter(Instant.now());
    assertThat(next.toString()).endsWith("T02:00:00Z");

    // everyone signed in reads plans; helpdesk and auditors change none
    for (String role : List.of("helpdesk", "auditor")) {
      String u = TestUsers.create(role);
      as(u).get("/api/v1/plans/" + id).then().statusCode(200).body("name", equalTo(name));
      as(u)
          .body(spec("x" + role, m.id(), null, "0 2 * * *", false))
          .post("/api/v1/plans")
          .then()
          .statusCode(403)
          .contentType(startsWith("application/problem+json"));
      as(u).delete("/api/v1/plans/" + id).then().statusCode(403);
      as(u).post("/api/v1/plans/" + id + "/run").then().statusCode(403);
    }

    // refused, each with what to do instead
    problem(as(operator).body(spec("bad " + m.name(), m.id(), null, "every night", false)), 400)
        .body("detail", containsString("'every night' is not a cron expression of five fields"));
    problem(as(operator).body(spec("bad " + m.name(), m.id(), "disk9", "0 2 * * *", false)), 400)
        .body("detail", containsString("has no disk disk9; it has disk0."));
    problem(as(operator).body(spec(name.toUpperCase(), m.id(), null, "0 2 * * *", false)), 409)
        .body("detail", containsString("exists already; choose another name"));
    problem(as(operator).body(spec(" ", m.id(), null, "0 2 * * *", false)), 400)
        .body("detail", containsString("A plan needs a name"));
    String other = spec("other " + m.name(), m.id(), null, "0 2 * * *", false);
    problem(as(operator).body(other.replace("}", ",\"compression\":\"max\"}")), 400)
        .body("detail", containsString("'max' is tens of times slower"))
        .body("detail", containsString("nightly recompression"));
    problem(as(operator).body(other.replace("}", ",\"compression\":\"zip\"}")), 400)
        .body("detail", containsString("Unknown compression 'zip'; use none, fast (zstd 1)"));
    problem(as(operator).body(spec("bad " + m.name(), 999_999_999L, null, "0 2 * * *", false)), 400)
        .body("detail", containsString("No machine 999999999."));
    as(operator)
        .body(
            """
            {"name":"z %s","machine":%d,"schedule":"0 2 * * *","timeZone":"Mars/Olympus"}
            """
                .formatted(m.name(), m.id()))
        .post("/api/v1/plans")
        .then()
        .statusCode(400)
        .body("detail", containsString("'Mars/Olympus' is not a time zone"));

    // changed: all disks, weekdays, disabled; a disabled plan has no next run
    as(operator)
        .body(
            """
            {"name":"%s","machine":%d,"disk":"","schedule":"30 22 * * 1-5","timeZone":"Europe/Berlin","enabled":false}
            """
                .formatted(name, m.id()))
        .put("/api/v1/plans/" + id)
        .then()
        .statusCode(200)
        .body("disk", equalTo(null))
        .body("schedule", equalTo("30 22 * * 1-5"))
        .body("timeZone", equalTo("Europe/Berlin"))
        .body("enabled", equalTo(false))
        .body("nextRun", equalTo(null));
    as(operator).get("/api/v1/plans/424242424").then().statusCode(404);

    as(operator).delete("/api/v1/plans/" + id).then().statusCode(204);
    as(operator).get("/api/v1/plans/" + id).then().statusCode(404);

    List<String> actions = new ArrayList<>();
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select action, actor from audit_event where object_id = '"
                        + name
                        + "' order by id")) {
      while (rs.next()) {
        actions.add(rs.getString(1) + " by " + rs.getString(2));
      }
    }
    assertThat(actions)
        .containsExactly(
            "plan.create by " + operator,
            "plan.update by " + operator,
            "plan.delete by " + operator);
  }

  @Test
  void a_due_plan_queues_one_backup_passes_over_while_it_runs_and_verifies_after_it()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "due");
    String operator = TestUsers.create("operator");
    String name = "Due " + m.name();
    long id =
        as(operator)
            .body(spec(name, m.id(), null, "0 2 * * *", true))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("id");
    Instant due = plans.get(id).nextRun();

    plans.queueDue(due.minusSeconds(60));
    assertThat(jobsOf(id)).as("nothing before the due time").isEmpty();
    plans.queueDue(due.plusSeconds(30));
    plans.queueDue(due.plusSeconds(60));
    List<long[]> jobs = jobsOf(id);
    assertThat(jobs).as("one backup for one due time, however often the console looks").hasSize(1);
    long backup = jobs.get(0)[0];
    try (Connection c = db.getConnection()) {
      assertThat(text(c, "select cause from job where id = " + backup)).isEqualTo("plan " + name);
      assertThat(text(c, "select requested_by from job where id = " + backup)).isEqualTo("system");
      assertThat(text(c, "select type from job where id = " + backup)).isEqualTo("backup");
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }

    // the next night, the backup is still queued: that due time is passed over
    plans.queueDue(due.plus(Duration.ofDays(1)).plusSeconds(60));
    assertThat(jobsOf(id)).hasSize(1);
    as(operator)
        .post("/api/v1/plans/" + id + "/run")
        .then()
        .statusCode(409)
        .body("detail", containsString("backup job " + backup + " is still queued"));

    // the worker runs it; the new image is verified after, as the plan asks
    WorkerCalls.claim(m.credential(), backup);
    WorkerCalls.succeedBackup(m.credential(), backup, "m-" + m.name(), 100663296);
    long image;
    try (Connection c = db.getConnection()) {
      image = single(c, "select image_id from job where id = " + backup);
      assertThat(
              single(
                  c,
                  "select count(*) from job where type = 'verify' and image_id = "
                      + image
                      + " and cause = 'plan "
                      + name
                      + ": verify after backup'"))
          .isEqualTo(1);
    }
    as(operator)
        .get("/api/v1/plans/" + id)
        .then()
        .statusCode(200)
        .body("lastJobId", equalTo((int) backup))
        .body("lastJobState", equalTo("SUCCEEDED"));

    // the night after, it runs again
    plans.queueDue(due.plus(Duration.ofDays(2)).plusSeconds(60));
    assertThat(jobsOf(id)).hasSize(2);

    // a due time found only past the catch-up window (6 h) is missed, and the audit log says so
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update job set state = 'cancelled' where plan_id = " + id);
    }
    plans.queueDue(due.plus(Duration.ofDays(3)).plus(Duration.ofHours(7)));
    assertThat(jobsOf(id)).hasSize(2);
    List<String> runs = new ArrayList<>();
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select details from audit_event where action = 'plan.run' and object_id = '"
                        + name
                        + "' order by id")) {
      while (rs.next()) {
        runs.add(rs.getString(1));
      }
    }
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0))
        .contains(
            "passed over the backup of " + m.name() + " due at " + due.plus(Duration.ofDays(1)))
        .contains("job " + backup + " is still queued");
    assertThat(runs.get(1))
        .contains("missed the backup due at " + due.plus(Duration.ofDays(3)))
        .contains("catch-up window");

    // run now, for a person
    long now =
        as(operator)
            .post("/api/v1/plans/" + id + "/run")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("job");
    assertThat(jobsOf(id)).extracting(j -> j[0]).contains(now);

    // deleting the plan keeps its jobs, which no longer name it
    as(operator).delete("/api/v1/plans/" + id).then().statusCode(204);
    try (Connection c = db.getConnection()) {
      assertThat(single(c, "select count(*) from job where id = " + backup)).isEqualTo(1);
      assertThat(text(c, "select coalesce(plan_id::text, 'none') from job where id = " + backup))
          .isEqualTo("none");
    }
  }

  @Test
  void a_plan_switched_back_on_starts_from_then_not_with_the_times_it_was_off_for()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "onoff");
    String operator = TestUsers.create("operator");
    String name = "Every minute " + m.name();
    long id =
        as(operator)
            .body(spec(name, m.id(), null, "* * * * *", false))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("id");
    try (Connection c = db.getConnection()) {
      // made an hour ago: the last minute's due time counts as one it has not run yet
      c.createStatement()
          .executeUpdate("update plan set created_at = now() - interval '1 hour' where id = " + id);
    }
    String off = spec(name, m.id(), null, "* * * * *", false).replace("}", ",\"enabled\":false}");
    as(operator).body(off).put("/api/v1/plans/" + id).then().statusCode(200);
    plans.queueDue(Instant.now());
    assertThat(jobsOf(id)).as("a disabled plan queues nothing").isEmpty();

    as(operator)
        .body(spec(name, m.id(), null, "* * * * *", false))
        .put("/api/v1/plans/" + id)
        .then()
        .statusCode(200)
        .body("enabled", equalTo(true));
    plans.queueDue(Instant.now());
    assertThat(jobsOf(id)).as("due times from before it was switched on do not count").isEmpty();
    plans.queueDue(Instant.now().plusSeconds(61));
    assertThat(jobsOf(id)).as("the next minute does").hasSize(1);
  }

  @Test
  void after_a_backup_retention_prunes_what_it_no_longer_keeps_but_never_what_a_restore_needs()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "keep");
    String operator = TestUsers.create("operator");
    String name = "Keep two " + m.name();
    long id =
        as(operator)
            .body(
                """
                {"name":"%s","machine":%d,"schedule":"0 2 * * *","timeZone":"UTC",
                 "keep":{"last":2,"hourly":0,"daily":0,"weekly":0,"monthly":0,"yearly":0}}
                """
                    .formatted(name, m.id()))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .body("keep.last", equalTo(2))
            .extract()
            .jsonPath()
            .getLong("id");
    long repo;
    long needed;
    String tag = m.name();
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
      repo = single(c, "select repository_id from plan where id = " + id);
      // four older images: the oldest is still being verified, so a job needs it
      for (int days = 4; days >= 1; days--) {
        c.createStatement()
            .executeUpdate(
                "insert into image (repository_id, machine_id, manifest_id, created_at,"
                    + " logical_bytes, used_bytes, stored_bytes, disks) values ("
                    + repo
                    + ", "
                    + m.id()
                    + ", 'old"
                    + days
                    + "-"
                    + tag
                    + "', now() - interval '"
                    + days
                    + " days', 1048576, 524288, 262144, '[]')");
      }
      needed = single(c, "select id from image where manifest_id = 'old4-" + tag + "'");
    }
    long verify =
        as(operator)
            .body("{\"image\":" + needed + "}")
            .post("/api/v1/jobs/verify")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("job");

    // asked beforehand, the plan says what its next backup will let go, and deletes nothing
    JsonPath preview =
        as(TestUsers.create("helpdesk"))
            .get("/api/v1/plans/" + id + "/retention")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(preview.getString("rules")).isEqualTo("keep 2 last");
    assertThat(preview.getList("letGo.manifestId", String.class))
        .containsExactly("old3-" + tag, "old2-" + tag);
    assertThat(preview.getList("letGo.machine", String.class)).containsOnly(m.name());
    assertThat(preview.getInt("kept")).as("old1, and old4 that a verify needs").isEqualTo(2);
    try (Connection c = db.getConnection()) {
      assertThat(single(c, "select count(*) from job where type = 'prune' and plan_id = " + id))
          .isZero();
    }

    // the plan's backup succeeds with a fifth image
    long backup =
        as(operator)
            .post("/api/v1/plans/" + id + "/run")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("job");
    JsonPath poll =
        WorkerCalls.post(
                m.credential(), "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(poll.getList("jobs.id", Long.class)).contains(verify);
    // one job at a time: the verify first; then the backup
    WorkerCalls.post(
            m.credential(),
            "poll",
            "{\"running\":[" + verify + "],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200)
        .body("jobs.id", org.hamcrest.Matchers.hasItem((int) backup));
    WorkerCalls.succeedBackup(m.credential(), backup, "new-" + tag, 1048576);

    // keep last 2 keeps the new image and old1; old2 and old3 go; old4 stays while it is verified
    long prune;
    try (Connection c = db.getConnection()) {
      prune =
          single(
              c, "select coalesce(max(id), 0) from job where type = 'prune' and plan_id = " + id);
    }
    assertThat(prune).as("a prune job queued after the backup").isPositive();
    JsonPath order =
        WorkerCalls.post(
                m.credential(),
                "poll",
                "{\"running\":[" + verify + "],\"capacity\":1,\"waitSeconds\":0}")
            .statusCode(200)
            .extract()
            .jsonPath();
    String mine = "jobs.find { it.id == " + prune + " }";
    assertThat(order.getString(mine + ".type")).isEqualTo("prune");
    assertThat(order.getList(mine + ".prune", String.class))
        .containsExactly("old3-" + tag, "old2-" + tag);
    assertThat(order.getString(mine + ".machine")).isEqualTo(m.name());

    WorkerCalls.post(
            m.credential(),
            "jobs/" + prune + "/result",
            """
            {"state":"succeeded","prune":{"removed":["old3-%s"],"missing":["old2-%s"]}}
            """
                .formatted(tag, tag))
        .statusCode(204);
    List<String> left =
        as(operator)
            .get("/api/v1/images?machine=" + m.id())
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("items.manifestId", String.class);
    assertThat(left).containsExactlyInAnyOrder("new-" + tag, "old1-" + tag, "old4-" + tag);
    try (Connection c = db.getConnection()) {
      assertThat(
              single(
                  c,
                  "select count(*) from image where pruned_at is not null and machine_id = "
                      + m.id()))
          .isEqualTo(2);
      assertThat(
              text(
                  c,
                  "select details from audit_event where action = 'prune.start' and object_id = '"
                      + m.name()
                      + "'"))
          .contains("plan " + name + ": keep 2 last")
          .contains("old3-" + tag + ", old2-" + tag);
    }
    // a verify of a pruned image is refused: its manifest is gone
    long pruned;
    try (Connection c = db.getConnection()) {
      pruned = single(c, "select id from image where manifest_id = 'old3-" + tag + "'");
    }
    as(operator)
        .body("{\"image\":" + pruned + "}")
        .post("/api/v1/jobs/verify")
        .then()
        .statusCode(400)
        .body("detail", containsString("No image " + pruned));
  }

  @Test
  void a_scheduled_backup_that_fails_is_retried_after_the_wait_until_its_retries_run_out()
      throws Exception {
    TestMachine m = TestMachine.enrol(db, "retry");
    String operator = TestUsers.create("operator");
    String name = "Retried " + m.name();
    long id =
        as(operator)
            .body(
                spec(name, m.id(), null, "0 2 * * *", false)
                    .replace(
                        "}",
                        ",\"retries\":2,\"retryWaitMinutes\":15,\"compression\":\"balanced\"}"))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .body("retries", equalTo(2))
            .body("retryWaitMinutes", equalTo(15))
            .extract()
            .jsonPath()
            .getLong("id");
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    plans.queueDue(plans.get(id).nextRun().plusSeconds(30));
    long first = jobsOf(id).get(0)[0];
    String error = "Repository folder /srv/holdfast is not mounted";

    // the scheduled backup fails: a retry waits 15 minutes, and no worker gets it before then
    runAndFail(m, first, error);
    assertThat(jobsOf(id)).hasSize(2);
    long second = jobsOf(id).get(1)[0];
    try (Connection c = db.getConnection()) {
      assertThat(text(c, "select cause from job where id = " + second))
          .isEqualTo("plan " + name + ": retry 1 of 2 after job " + first + " failed");
      assertThat(text(c, "select type || ' by ' || requested_by from job where id = " + second))
          .isEqualTo("backup by system");
      assertThat(single(c, "select plan_attempt from job where id = " + second)).isEqualTo(2);
      assertThat(text(c, "select params::json->>'compression' from job where id = " + second))
          .as("the plan's compression, for the retry too")
          .isEqualTo("balanced");
      assertThat(text(c, "select params::json->>'compression' from job where id = " + first))
          .isEqualTo("balanced");
      long waitSeconds =
          single(
              c,
              "select extract(epoch from not_before - created_at)::bigint from job where id = "
                  + second);
      assertThat(waitSeconds).isEqualTo(15 * 60);
    }
    WorkerCalls.post(m.credential(), "poll", "{\"running\":[],\"capacity\":2,\"waitSeconds\":0}")
        .statusCode(200)
        .body("jobs.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem((int) second)));
    as(operator)
        .post("/api/v1/plans/" + id + "/run")
        .then()
        .statusCode(409)
        .body("detail", containsString("backup job " + second + " is still queued"));

    // fifteen minutes on, the retry runs and fails too; the second and last retry follows it
    waitOver(second);
    // the console believes the poll's "nothing to hand out" for 5 s (JobDispatcher), as a worker
    // would find: its next poll after that gets the retry
    Thread.sleep(5_500);
    runAndFail(m, second, error);
    assertThat(jobsOf(id)).hasSize(3);
    long third = jobsOf(id).get(2)[0];
    waitOver(third);
    runAndFail(m, third, error);
    assertThat(jobsOf(id)).as("two retries, then it waits for the next due time").hasSize(3);

    List<String> runs = planRuns(name);
    assertThat(runs).hasSize(3);
    assertThat(runs.get(0))
        .startsWith(
            "backup job "
                + first
                + " failed ("
                + error
                + "); retry 1 of 2 queued as job "
                + second
                + " for ");
    assertThat(runs.get(1))
        .startsWith(
            "backup job "
                + second
                + " failed ("
                + error
                + "); retry 2 of 2 queued as job "
                + third);
    assertThat(runs.get(2))
        .startsWith("backup job " + third + " failed (" + error + "); that was its last retry (2)")
        .contains("the next backup is due at ");

    // a backup a person started is not retried: that person sees it fail
    long byHand =
        as(operator)
            .post("/api/v1/plans/" + id + "/run")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("job");
    runAndFail(m, byHand, error);
    assertThat(jobsOf(id)).hasSize(4);
    assertThat(planRuns(name)).hasSize(3);

    // a disabled plan retries nothing (the night after, its backup failed once it was switched off)
    plans.queueDue(plans.get(id).nextRun().plus(Duration.ofDays(1)).plusSeconds(30));
    long next = jobsOf(id).get(4)[0];
    as(operator)
        .body(spec(name, m.id(), null, "0 2 * * *", false).replace("}", ",\"enabled\":false}"))
        .put("/api/v1/plans/" + id)
        .then()
        .statusCode(200)
        .body("retries", equalTo(2));
    runAndFail(m, next, error);
    assertThat(jobsOf(id)).hasSize(5);
    assertThat(planRuns(name).get(3)).endsWith("; not retried: the plan is disabled");

    // out-of-range retries and waits are refused, with the range
    String bad = spec("Bad " + m.name(), m.id(), null, "0 2 * * *", false);
    problem(as(operator).body(bad.replace("}", ",\"retries\":11}")), 400)
        .body("detail", containsString("0 (never) to 10 times; 11 is not."));
    problem(as(operator).body(bad.replace("}", ",\"retryWaitMinutes\":0}")), 400)
        .body("detail", containsString("1 to 1440 minutes (a day); 0 is not."));
  }

  @Test
  void a_plan_of_several_machines_backs_each_up_in_its_own_job_and_passes_over_only_a_busy_one()
      throws Exception {
    TestMachine a = TestMachine.enrol(db, "fleet-a");
    TestMachine b = TestMachine.enrol(db, "fleet-b");
    String operator = TestUsers.create("operator");
    String name = "Fleet " + a.name();
    String body =
        """
        {"name":"%s","machines":[%d,%d],"schedule":"0 2 * * *","timeZone":"UTC",
         "keep":{"last":1,"hourly":0,"daily":0,"weekly":0,"monthly":0,"yearly":0}}
        """
            .formatted(name, b.id(), a.id());
    problem(as(operator).body(body.replace("\"schedule\"", "\"disk\":\"disk0\",\"schedule\"")), 400)
        .body("detail", containsString("A plan of several machines backs up all their disks"));
    long id =
        as(operator)
            .body(body)
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .body("machines.name", org.hamcrest.Matchers.contains(a.name(), b.name()))
            .body("machine", equalTo(a.name() + ", " + b.name()))
            .extract()
            .jsonPath()
            .getLong("id");
    long repo;
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
      repo = single(c, "select repository_id from plan where id = " + id);
      for (TestMachine m : List.of(a, b)) {
        c.createStatement()
            .executeUpdate(
                "insert into image (repository_id, machine_id, manifest_id, created_at,"
                    + " logical_bytes, used_bytes, stored_bytes, disks) values ("
                    + repo
                    + ", "
                    + m.id()
                    + ", 'older-"
                    + m.name()
                    + "', now() - interval '2 days', 1048576, 524288, 262144, '[]')");
      }
    }

    // one due time, one backup job per machine
    Instant due = plans.get(id).nextRun();
    plans.queueDue(due.plusSeconds(30));
    long backupA = jobOf(id, a);
    long backupB = jobOf(id, b);
    assertThat(jobsOf(id)).hasSize(2);

    // a's backup succeeds: retention lets a's older image go, never b's
    WorkerCalls.claim(a.credential(), backupA);
    WorkerCalls.succeedBackup(a.credential(), backupA, "new-" + a.name(), 1048576);
    try (Connection c = db.getConnection()) {
      assertThat(
              text(
                  c,
                  "select machine_id || ' ' || params from job where type = 'prune' and plan_id = "
                      + id))
          .isEqualTo(
              a.id() + " {\"images\":[\"older-" + a.name() + "\"],\"owner\":" + a.id() + "}");
    }

    // the next night b's backup is still queued: b is passed over, a backs up again
    plans.queueDue(due.plus(Duration.ofDays(1)).plusSeconds(30));
    long againA = jobOf(id, a);
    assertThat(againA).isNotEqualTo(backupA);
    assertThat(jobOf(id, b)).isEqualTo(backupB);
    assertThat(planRuns(name))
        .singleElement()
        .asString()
        .startsWith(
            "passed over the backup of "
                + b.name()
                + " due at "
                + due.plus(Duration.ofDays(1))
                + ": its backup job "
                + backupB
                + " is still queued");
    as(operator)
        .post("/api/v1/plans/" + id + "/run")
        .then()
        .statusCode(409)
        .body("detail", containsString(a.name() + ": the plan's backup job " + againA))
        .body("detail", containsString(b.name() + ": the plan's backup job " + backupB));

    // b's backup fails: its retry is b's alone
    runAndFail(b, backupB, "Disk /dev/vdz is busy");
    long retryB = jobOf(id, b);
    assertThat(retryB).isNotEqualTo(backupB);
    try (Connection c = db.getConnection()) {
      assertThat(single(c, "select plan_attempt from job where id = " + retryB)).isEqualTo(2);
    }
    assertThat(jobOf(id, a)).isEqualTo(againA);
  }

  @Test
  void a_plan_when_online_backs_up_a_machine_that_is_on_once_its_last_backup_is_old_enough()
      throws Exception {
    TestMachine laptop = TestMachine.enrol(db, "laptop");
    TestMachine off = TestMachine.enrol(db, "laptop-off");
    String operator = TestUsers.create("operator");
    String name = "Laptops " + laptop.name();
    String body =
        """
        {"name":"%s","machines":[%d,%d],"schedule":"%s","timeZone":"Europe/Berlin",
         "onlineEveryHours":%s}
        """;
    problem(as(operator).body(body.formatted(name, laptop.id(), off.id(), "", "null")), 400)
        .body("detail", containsString("needs a schedule"))
        .body("detail", containsString("when its machines are online"));
    problem(as(operator).body(body.formatted(name, laptop.id(), off.id(), "", "0")), 400)
        .body("detail", containsString("every 1 to 720 hours"));
    long id =
        as(operator)
            .body(body.formatted(name, laptop.id(), off.id(), "", "24"))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .body("schedule", org.hamcrest.Matchers.nullValue())
            .body("onlineEveryHours", equalTo(24))
            .body("nextRun", org.hamcrest.Matchers.nullValue())
            .extract()
            .jsonPath()
            .getLong("id");
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
      c.createStatement()
          .executeUpdate(
              "update machine set last_seen_at = now() - interval '3 days' where id = " + off.id());
    }

    // the online machine without a backup of the plan gets one; the one that is off does not
    plans.queueDue(Instant.now());
    long first = jobOf(id, laptop);
    assertThat(jobsOf(id)).hasSize(1);
    try (Connection c = db.getConnection()) {
      assertThat(text(c, "select cause from job where id = " + first))
          .isEqualTo(
              "plan "
                  + name
                  + ": "
                  + laptop.name()
                  + " is online and has no backup of this plan"
                  + " yet");
    }
    // while it runs, and for 24 h after it was queued, nothing more
    plans.queueDue(Instant.now());
    WorkerCalls.claim(laptop.credential(), first);
    WorkerCalls.succeedBackup(laptop.credential(), first, "online-" + laptop.name(), 1 << 20);
    plans.queueDue(Instant.now());
    assertThat(jobsOf(id)).hasSize(1);

    // a day later: the laptop is backed up again; the other, back online, gets its first
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set created_at = now() - interval '25 hours' where id = " + first);
      c.createStatement()
          .executeUpdate("update machine set last_seen_at = now() where id = " + off.id());
    }
    plans.queueDue(Instant.now());
    assertThat(jobOf(id, laptop)).isNotEqualTo(first);
    assertThat(jobOf(id, off)).isPositive();
    assertThat(jobsOf(id)).hasSize(3);
    try (Connection c = db.getConnection()) {
      assertThat(text(c, "select cause from job where id = " + jobOf(id, laptop)))
          .contains("its newest backup of this plan (job " + first + ") was queued more than 24 h");
    }

    // a disabled plan queues nothing, online or not
    as(operator)
        .body(
            "{\"name\":\"%s\",\"machines\":[%d],\"onlineEveryHours\":24,\"enabled\":false}"
                .formatted(name, laptop.id()))
        .put("/api/v1/plans/" + id)
        .then()
        .statusCode(200);
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set state = 'cancelled', created_at = now() - interval '2 days'"
                  + " where plan_id = "
                  + id);
    }
    plans.queueDue(Instant.now());
    assertThat(jobsOf(id)).hasSize(3);
  }

  /** The newest backup job the plan queued for the machine. */
  private long jobOf(long plan, TestMachine m) throws SQLException {
    try (Connection c = db.getConnection()) {
      return single(
          c,
          "select max(id) from job where type = 'backup' and plan_id = "
              + plan
              + " and machine_id = "
              + m.id());
    }
  }

  /** The machine's worker takes the job and reports that it failed. */
  private static void runAndFail(TestMachine m, long job, String error) {
    WorkerCalls.claim(m.credential(), job);
    WorkerCalls.post(
            m.credential(),
            "jobs/" + job + "/result",
            "{\"state\":\"failed\",\"error\":\"" + error + "\"}")
        .statusCode(204);
  }

  /** As if the retry's wait were over. */
  private void waitOver(long job) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update job set not_before = now() - interval '1 second' where id = " + job);
    }
  }

  private List<String> planRuns(String plan) throws SQLException {
    List<String> runs = new ArrayList<>();
    try (Connection c = db.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "select details from audit_event where action = 'plan.run' and object_id = ?"
                    + " order by id")) {
      ps.setString(1, plan);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          runs.add(rs.getString(1));
        }
      }
    }
    return runs;
  }

  private List<long[]> jobsOf(long plan) throws SQLException {
    List<long[]> jobs = new ArrayList<>();
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery("select id from job where plan_id = " + plan + " order by id")) {
      while (rs.next()) {
        jobs.add(new long[] {rs.getLong(1)});
      }
    }
    return jobs;
  }

  private static io.restassured.response.ValidatableResponse problem(
      RequestSpecification r, int status) {
    return r.post("/api/v1/plans")
        .then()
        .statusCode(status)
        .contentType(startsWith("application/problem+json"));
  }
}
