package io.holdfast.maintenance;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.Catalogue;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Repository maintenance as the console runs it: who may start it, which worker gets it, what it
 * tells the worker, what it records, and the schedule queueing each due run once. The worker side
 * (a real worker collecting and recompressing a real repository) is WorkerEndToEndIT's.
 */
@QuarkusTest
class MaintenanceTest {

  @Inject AgroalDataSource db;
  @Inject MaintenanceService maintenance;

  /** A repository of its own, holding one image of a machine whose worker this test speaks for. */
  record Repo(long id, String name, String path, long machine, String credential) {}

  Repo repositoryWithImage(String label) throws SQLException {
    String name = label + "-" + System.nanoTime();
    String credential = WorkerCalls.enrolled(name + "-host");
    WorkerCalls.inventory(credential, name + "-host", "/dev/vdz");
    String path = "/srv/holdfast/" + name;
    try (Connection c = db.getConnection()) {
      long machine =
          single(c, "select machine_id from worker where id = " + credential.split("_")[1]);
      long repo =
          single(
              c,
              "insert into repository (name, path, max_jobs, created_at) values ('"
                  + name
                  + "', '"
                  + path
                  + "', 4, now()) returning id");
      Catalogue.image(c, repo, machine, "bench-" + name, "now()");
      return new Repo(repo, name, path, machine, credential);
    }
  }

  @Test
  void
      an_operator_starts_it_the_worker_that_stored_the_newest_image_runs_it_and_its_result_is_kept()
          throws Exception {
    Repo r = repositoryWithImage("asked");
    String operator = TestUsers.create("operator");
    int job =
        as(operator)
            .post("/api/v1/repositories/" + r.id() + "/maintenance")
            .then()
            .statusCode(201)
            .extract()
            .path("job");
    as(operator)
        .post("/api/v1/repositories/" + r.id() + "/maintenance")
        .then()
        .statusCode(409)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("already queued or running as job " + job));

    // maintenance touches the repository only: a backup of the same machine runs beside it
    int backup =
        as(operator)
            .body("{\"machine\":" + r.machine() + "}")
            .post("/api/v1/jobs/backup")
            .then()
            .statusCode(201)
            .extract()
            .path("job");
    try (Connection c = db.getConnection()) {
      // the backup goes to the default repository, whose limit other tests may have filled
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    JsonPath poll =
        WorkerCalls.poll(r.credential())
            .body("jobs.id", containsInAnyOrder(job, backup))
            .extract()
            .jsonPath();
    String order = "jobs.find { it.id == " + job + " }";
    assertThat(poll.getString(order + ".type")).isEqualTo("maintenance");
    assertThat(poll.getString(order + ".repository")).isEqualTo(r.path());
    assertThat(poll.getString(order + ".maintenance.compression")).isEqualTo("strong");
    assertThat(poll.getLong(order + ".maintenance.budgetBytes")).isEqualTo(50L << 30);
    assertThat(poll.getLong(order + ".maintenance.graceSeconds")).isEqualTo(86_400L);

    WorkerCalls.post(
            r.credential(),
            "jobs/" + job + "/result",
            """
            {"state":"succeeded","maintenance":{"chunksDeleted":3,"bytesFreed":786432,
             "packsRecompressed":2,"bytesBefore":5000000,"bytesAfter":4400000,"packsLeft":1,
             "storedBytes":123456789,"problems":[]}}
            """)
        .statusCode(204);

    JsonPath repos =
        as(TestUsers.create("auditor"))
            .get("/api/v1/repositories")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    String mine = "find { it.id == " + r.id() + " }";
    assertThat(repos.getLong(mine + ".storedBytes")).isEqualTo(123_456_789L);
    assertThat(repos.getString(mine + ".maintainedAt")).isNotNull();
    assertThat(repos.getString(mine + ".lastMaintenance.state")).isEqualTo("SUCCEEDED");
    assertThat(repos.getInt(mine + ".lastMaintenance.jobId")).isEqualTo(job);
    assertThat(repos.getLong(mine + ".lastMaintenance.summary.bytesAfter")).isEqualTo(4_400_000L);
    assertThat(repos.getInt(mine + ".lastMaintenance.summary.packsLeft")).isEqualTo(1);
    // the test profile does not schedule it
    assertThat(repos.getString(mine + ".nextMaintenance")).isNull();

    List<String> details =
        as(TestUsers.ADMIN)
            .get("/api/v1/audit?action=maintenance.start&limit=500")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath()
            .getList("items.findAll { it.objectId == '" + r.name() + "' }.details", String.class);
    assertThat(details)
        .singleElement()
        .asString()
        .contains("job " + job)
        .contains("recompression at strong");
  }

  @Test
  void when_the_newest_image_came_from_an_offline_machine_an_online_one_that_stored_images_runs_it()
      throws Exception {
    Repo r = repositoryWithImage("two-machines");
    // a second machine stored a newer image in the same repository, and has been away a day
    String credential = WorkerCalls.enrolled(r.name() + "-second");
    WorkerCalls.inventory(credential, r.name() + "-second", "/dev/vdy");
    long second;
    try (Connection c = db.getConnection()) {
      second = single(c, "select machine_id from worker where id = " + credential.split("_")[1]);
      Catalogue.image(
          c, r.id(), second, "bench-" + r.name() + "-second", "now() + interval '1 minute'");
      Catalogue.lastSeen(c, second, "1 day");
    }
    String operator = TestUsers.create("operator");
    int first =
        as(operator)
            .post("/api/v1/repositories/" + r.id() + "/maintenance")
            .then()
            .statusCode(201)
            .extract()
            .path("job");
    assertThat(jobMachine(first))
        .as("the online machine, with the older image")
        .isEqualTo(r.machine());
    WorkerCalls.poll(r.credential()).body("jobs.id", containsInAnyOrder(first));
    WorkerCalls.post(
            r.credential(),
            "jobs/" + first + "/result",
            """
            {"state":"succeeded","maintenance":{"chunksDeleted":0,"bytesFreed":0,
             "packsRecompressed":0,"bytesBefore":1,"bytesAfter":1,"packsLeft":0,
             "storedBytes":1,"problems":[]}}
            """)
        .statusCode(204);

    // with both away, the job waits for the machine with the newest image
    try (Connection c = db.getConnection()) {
      Catalogue.lastSeen(c, r.machine(), "1 day");
    }
    int next =
        as(operator)
            .post("/api/v1/repositories/" + r.id() + "/maintenance")
            .then()
            .statusCode(201)
            .extract()
            .path("job");
    assertThat(jobMachine(next)).isEqualTo(second);
  }

  private long jobMachine(int job) throws SQLException {
    try (Connection c = db.getConnection()) {
      return single(c, "select machine_id from job where id = " + job);
    }
  }

  @Test
  void it_is_refused_with_a_reason_for_a_repository_without_images_and_for_helpdesk_and_auditors()
      throws Exception {
    long empty;
    try (Connection c = db.getConnection()) {
      empty = Catalogue.repository(c, "empty", "/srv/empty", 4);
    }
    as(TestUsers.ADMIN)
        .post("/api/v1/repositories/" + empty + "/maintenance")
        .then()
        .statusCode(409)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("holds no image yet"));
    as(TestUsers.ADMIN)
        .post("/api/v1/repositories/987654321/maintenance")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"));
    Repo r = repositoryWithImage("forbidden");
    for (String role : List.of("helpdesk", "auditor")) {
      as(TestUsers.create(role))
          .post("/api/v1/repositories/" + r.id() + "/maintenance")
          .then()
          .statusCode(403);
    }
    as(TestUsers.create("helpdesk")).get("/api/v1/repositories").then().statusCode(403);
    try (Connection c = db.getConnection()) {
      assertThat(
              single(
                  c,
                  "select count(*) from job where type = 'maintenance' and repository_id in ("
                      + empty
                      + ", "
                      + r.id()
                      + ")"))
          .isZero();
    }
  }

  @Test
  void the_schedule_queues_each_due_run_once_within_its_window_and_never_outside_it()
      throws Exception {
    Repo r = repositoryWithImage("scheduled");
    // nights far ahead, so that no job of this test can be handed out or expire meanwhile
    ZoneId zone = ZoneId.systemDefault();
    LocalDate night = LocalDate.of(2099, 6, 1);
    Instant due = night.atTime(3, 0).atZone(zone).toInstant();

    assertThat(maintenance.queueDue(night.atTime(2, 59).atZone(zone).toInstant())).isZero();
    assertThat(maintenance.queueDue(night.atTime(9, 0).atZone(zone).toInstant())).isZero();
    assertThat(maintenance.queueDue(night.atTime(4, 30).atZone(zone).toInstant())).isPositive();
    maintenance.queueDue(night.atTime(4, 31).atZone(zone).toInstant());
    List<Object[]> jobs = maintenanceJobs(r.id());
    assertThat(jobs).hasSize(1);
    Object[] first = jobs.get(0);
    assertThat(first[1]).isEqualTo("queued");
    assertThat(first[2]).isEqualTo("schedule");
    assertThat(first[3]).isEqualTo("system");
    assertThat(((Timestamp) first[4]).toInstant()).isEqualTo(due);
    assertThat(((Timestamp) first[5]).toInstant()).isEqualTo(due.plusSeconds(6 * 3600));
    assertThat(((Number) first[6]).longValue()).isEqualTo(r.machine());

    // ended, the same night's run is not queued again; the next night's is
    as(TestUsers.ADMIN).post("/api/v1/jobs/" + first[0] + "/cancel").then().statusCode(204);
    maintenance.queueDue(night.atTime(5, 0).atZone(zone).toInstant());
    assertThat(maintenanceJobs(r.id())).hasSize(1);
    maintenance.queueDue(night.plusDays(1).atTime(3, 1).atZone(zone).toInstant());
    assertThat(maintenanceJobs(r.id())).hasSize(2);
  }

  @Test
  void the_schedule_verifies_images_never_verified_or_not_for_a_month_longest_first_within_budget()
      throws Exception {
    Repo r = repositoryWithImage("reverify");
    String tag = r.name();
    long fresh;
    long old;
    long damaged;
    long recent;
    long pruned;
    long busy;
    try (Connection c = db.getConnection()) {
      fresh = single(c, "select id from image where manifest_id = 'bench-" + tag + "'");
      old = image(c, r, "old-" + tag, "now() - interval '40 days'", "'sound'", 150L << 30);
      damaged =
          image(c, r, "damaged-" + tag, "now() - interval '35 days'", "'damaged'", 100L << 30);
      recent = image(c, r, "recent-" + tag, "now() - interval '10 days'", "'sound'", 1L << 20);
      pruned = image(c, r, "pruned-" + tag, "null", "null", 1L << 20);
      c.createStatement().executeUpdate("update image set pruned_at = now() where id = " + pruned);
      busy = image(c, r, "busy-" + tag, "null", "null", 1L << 20);
    }
    // a verify a person asked for is queued already
    as(TestUsers.create("operator"))
        .body("{\"image\":" + busy + "}")
        .post("/api/v1/jobs/verify")
        .then()
        .statusCode(201);

    ZoneId zone = ZoneId.systemDefault();
    Instant due = LocalDate.now(zone).plusDays(1).atTime(3, 0).atZone(zone).toInstant();
    try {
      maintenance.queueDueVerifies(due.plusSeconds(600));
      maintenance.queueDueVerifies(due.plusSeconds(660));
      // never verified first, then the longest unverified, until the 200G budget: the damaged
      // image (100G more) waits; verified ten days ago, pruned, or already queued are not due
      List<Object[]> first = scheduledVerifies(r.id(), due);
      assertThat(first).extracting(v -> v[0]).containsExactly(fresh, old);
      assertThat(first.get(0)[1]).isEqualTo("scheduled verify: never verified");
      assertThat((String) first.get(1)[1]).startsWith("scheduled verify: last verified 20");
      for (Object[] v : first) {
        assertThat(v[2]).isEqualTo("system");
        assertThat(((Timestamp) v[3]).toInstant()).isEqualTo(due);
        assertThat(((Timestamp) v[4]).toInstant()).isEqualTo(due.plusSeconds(6 * 3600));
        assertThat(((Number) v[5]).longValue()).isEqualTo(r.machine());
      }
      List<String> audited =
          as(TestUsers.ADMIN)
              .get("/api/v1/audit?action=verify.start&limit=500")
              .then()
              .statusCode(200)
              .extract()
              .jsonPath()
              .getList("items.findAll { it.objectId == 'old-" + tag + "' }.details", String.class);
      assertThat(audited)
          .singleElement()
          .asString()
          .startsWith("job " + first.get(1)[6] + ", scheduled verify: last verified");

      // both were verified that night; the next night takes the damaged one, and nothing else
      try (Connection c = db.getConnection()) {
        c.createStatement()
            .executeUpdate(
                "update job set state = 'succeeded', finished_at = now() where id in ("
                    + first.get(0)[6]
                    + ", "
                    + first.get(1)[6]
                    + ")");
        c.createStatement()
            .executeUpdate(
                "update image set verified_at = now(), verify_status = 'sound' where id in ("
                    + fresh
                    + ", "
                    + old
                    + ")");
      }
      Instant next = due.plus(java.time.Duration.ofDays(1));
      maintenance.queueDueVerifies(next.plusSeconds(60));
      assertThat(scheduledVerifies(r.id(), next)).extracting(v -> v[0]).containsExactly(damaged);
      assertThat(scheduledVerifies(r.id(), next))
          .extracting(v -> v[0])
          .doesNotContain(recent, pruned, busy);
    } finally {
      // this test's nights are tomorrow's: leave no job of them queued for other tests' machines
      try (Connection c = db.getConnection()) {
        c.createStatement()
            .executeUpdate(
                "update job set state = 'cancelled' where type = 'verify' and state = 'queued'"
                    + " and requested_by = 'system' and not_before >= '"
                    + Timestamp.from(due)
                    + "'");
      }
    }
  }

  /** An image of the test's machine, verified at the SQL time {@code verifiedAt} (or never). */
  private static long image(
      Connection c, Repo r, String manifest, String verifiedAt, String status, long usedBytes)
      throws SQLException {
    return single(
        c,
        "insert into image (repository_id, machine_id, manifest_id, created_at, logical_bytes,"
            + " used_bytes, stored_bytes, disks, verified_at, verify_status) values ("
            + r.id()
            + ", "
            + r.machine()
            + ", '"
            + manifest
            + "', now() - interval '60 days', "
            + usedBytes * 2
            + ", "
            + usedBytes
            + ", 262144, '[]', "
            + verifiedAt
            + ", "
            + status
            + ") returning id");
  }

  /** Verify jobs the schedule queued for the repository's images for one due time, by id. */
  private List<Object[]> scheduledVerifies(long repo, Instant due) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = db.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "select image_id, cause, requested_by, not_before, not_after, machine_id, id"
                    + " from job where type = 'verify' and repository_id = ? and not_before = ?"
                    + " order by id")) {
      ps.setLong(1, repo);
      ps.setTimestamp(2, Timestamp.from(due));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new Object[] {
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4),
                rs.getTimestamp(5),
                rs.getLong(6),
                rs.getLong(7)
              });
        }
      }
    }
    return rows;
  }

  private List<Object[]> maintenanceJobs(long repo) throws SQLException {
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select id, state, cause, requested_by, not_before, not_after, machine_id"
                        + " from job where type = 'maintenance' and repository_id = "
                        + repo
                        + " order by id")) {
      while (rs.next()) {
        rows.add(
            new Object[] {
              rs.getLong(1),
              rs.getString(2),
              rs.getString(3),
              rs.getString(4),
              rs.getTimestamp(5),
              rs.getTimestamp(6),
              rs.getLong(7)
            });
      }
    }
    return rows;
  }
}
