package io.holdfast.machines;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.jobs.JobService;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.testing.Catalogue;
import io.holdfast.testing.Sql;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An admin retires a machine that is out of service for good: asked why, its workers revoked, out
 * of its plans, its unfinished jobs ended, no new work for it; its images stay and are looked after
 * by another worker of their repository; enrolling it again brings it back.
 */
@QuarkusTest
class RetireMachineTest {

  @Inject AgroalDataSource db;
  @Inject JobService jobs;
  @Inject MachineService machines;

  @Test
  void a_retired_machine_gets_no_work_and_its_images_are_kept_and_looked_after_elsewhere()
      throws Exception {
    TestMachine old = TestMachine.enrol(db, "scrapped");
    TestMachine other = TestMachine.enrol(db, "sibling");
    long repo;
    long image;
    long older;
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
      repo = Catalogue.repository(c, "retire", "/srv/holdfast/retire", 4);
      image =
          Catalogue.image(
              c, repo, old.id(), "20261203T010000Z-0000aaaa", "now() - interval '2 hours'");
      Catalogue.image(
          c, repo, other.id(), "20261203T020000Z-0000bbbb", "now() - interval '1 hour'");
      older =
          Catalogue.image(
              c, repo, old.id(), "20261203T003000Z-0000cccc", "now() - interval '3 hours'");
    }
    int plan =
        as(TestUsers.ADMIN)
            .body(
                """
                {"name":"Fleet %s","machines":[%d,%d],"schedule":"0 2 * * *","timeZone":"UTC"}
                """
                    .formatted(old.name(), old.id(), other.id()))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    long queued = jobs.enqueueBackup(old.id(), null, "test", "test", RequestOrigin.SYSTEM);
    long onto;
    long elsewhere;
    try (Connection c = db.getConnection()) {
      onto = pendingRestore(c, image, old.id(), old.id());
      elsewhere = pendingRestore(c, image, old.id(), other.id());
    }
    long inService = machines.countInService();
    String path = "/api/v1/machines/" + old.id() + "/retire";
    String body = "{\"reason\":\"mainboard dead, replaced by a new laptop\"}";

    // only admins, and only with a reason
    as(TestUsers.create("operator")).body(body).post(path).then().statusCode(403);
    as(TestUsers.ADMIN)
        .body("{\"reason\":\"  \"}")
        .post(path)
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("Say why the machine is retired"));

    as(TestUsers.ADMIN)
        .body(body)
        .post(path)
        .then()
        .statusCode(200)
        .body("retired", equalTo(true))
        .body("retiredBy", equalTo(TestUsers.ADMIN))
        .body("retiredReason", equalTo("mainboard dead, replaced by a new laptop"));
    as(TestUsers.ADMIN)
        .body(body)
        .post(path)
        .then()
        .statusCode(409)
        .body("detail", containsString("was retired already"));

    // its worker is revoked, its queued job ended, and it left the plan; the other machine stayed
    WorkerCalls.post(old.credential(), "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(401)
        .body("detail", containsString("revoked"));
    List<Integer> planMachines =
        as(TestUsers.ADMIN).get("/api/v1/plans/" + plan).then().extract().path("machines.id");
    assertThat(planMachines).containsExactly((int) other.id());
    try (Connection c = db.getConnection()) {
      assertThat(Sql.text(c, "select state || ': ' || error from job where id = " + queued))
          .isEqualTo("cancelled: " + old.name() + " was retired by admin before this job ended.");
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'machine.retire' and object_id"
                      + " = '"
                      + old.name()
                      + "' and actor = 'admin' and details = 'mainboard dead, replaced by a new"
                      + " laptop'"))
          .isEqualTo(1);
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'worker.revoke' and details ="
                      + " 'machine "
                      + old.name()
                      + "'"))
          .isEqualTo(1);
    }

    // a pending request to restore onto it is rejected, saying why; one onto another machine stays
    as(TestUsers.ADMIN)
        .get("/api/v1/restores/" + onto)
        .then()
        .body("state", equalTo("rejected"))
        .body("decidedBy", equalTo(TestUsers.ADMIN))
        .body("decisionComment", containsString(old.name() + " was retired"));
    as(TestUsers.ADMIN)
        .get("/api/v1/restores/" + elsewhere)
        .then()
        .body("state", equalTo("pending"));
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate("update restore_request set state = 'expired' where id = " + elsewhere);
    }

    // no new work for it: a backup, a plan of it, a restore onto it are refused with what to do
    as(TestUsers.ADMIN)
        .body("{\"machine\":" + old.id() + "}")
        .post("/api/v1/jobs/backup")
        .then()
        .statusCode(409)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString(old.name() + " was retired on"))
        .body("detail", containsString("choose a machine in service"));
    as(TestUsers.ADMIN)
        .body(
            """
            {"name":"Again %s","machine":%d,"schedule":"0 2 * * *","timeZone":"UTC"}
            """
                .formatted(old.name(), old.id()))
        .post("/api/v1/plans")
        .then()
        .statusCode(409)
        .body("detail", containsString(old.name() + " was retired on"));

    // its image stays; a verify of it goes to the other machine's worker, which reaches the
    // repository
    as(TestUsers.ADMIN).get("/api/v1/images/" + image).then().statusCode(200);
    long verify = jobs.enqueueVerify(image, "test", "test", RequestOrigin.SYSTEM);
    try (Connection c = db.getConnection()) {
      assertThat(single(c, "select machine_id from job where id = " + verify))
          .isEqualTo(other.id());
    }
    WorkerCalls.claim(other.credential(), verify);

    // once its images need not be kept, an admin deletes them all; not while the verify reads one,
    // not for a machine in service, and not when asked for an image and a machine at once
    String all = "{\"machine\":" + old.id() + ",\"reason\":\"kept 90 days after it was scrapped\"}";
    as(TestUsers.ADMIN)
        .body(all)
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(409)
        .body("detail", containsString("are still needed: 20261203T010000Z-0000aaaa"));
    as(TestUsers.ADMIN)
        .body("{\"machine\":" + other.id() + ",\"reason\":\"no\"}")
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(409)
        .body("detail", containsString(other.name() + " is in service"));
    as(TestUsers.ADMIN)
        .body("{\"machine\":" + old.id() + ",\"image\":" + image + ",\"reason\":\"no\"}")
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(400)
        .body("detail", containsString("Name either the image"));
    WorkerCalls.post(
            other.credential(),
            "jobs/" + verify + "/result",
            "{\"state\":\"succeeded\",\"verify\":{\"sound\":true,\"chunksChecked\":4,"
                + "\"detail\":\"4 chunks sound\"}}")
        .statusCode(204);
    List<Integer> prunes =
        as(TestUsers.ADMIN)
            .body(all)
            .post("/api/v1/jobs/prune")
            .then()
            .statusCode(201)
            .extract()
            .path("jobs");
    assertThat(prunes).hasSize(1);
    try (Connection c = db.getConnection()) {
      assertThat(
              Sql.text(
                  c, "select machine_id || ' ' || params from job where id = " + prunes.get(0)))
          .isEqualTo(
              other.id()
                  + " {\"images\":[\"20261203T010000Z-0000aaaa\",\"20261203T003000Z-0000cccc\"],"
                  + "\"owner\":"
                  + old.id()
                  + "}");
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'machine.images-delete' and"
                      + " object_id = '"
                      + old.name()
                      + "' and details = '2 image(s), kept 90 days after it was scrapped'"))
          .isEqualTo(1);
    }
    WorkerCalls.claim(other.credential(), prunes.get(0));
    WorkerCalls.post(
            other.credential(),
            "jobs/" + prunes.get(0) + "/result",
            "{\"state\":\"succeeded\",\"prune\":{\"removed\":[\"20261203T010000Z-0000aaaa\","
                + "\"20261203T003000Z-0000cccc\"],\"missing\":[]}}")
        .statusCode(204);
    as(TestUsers.ADMIN).get("/api/v1/images/" + image).then().statusCode(404);
    as(TestUsers.ADMIN).get("/api/v1/images/" + older).then().statusCode(404);
    as(TestUsers.ADMIN)
        .body(all)
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(409)
        .body("detail", containsString(old.name() + " has no image left"));

    // listed as retired, after the machines in service, and not counted as unprotected
    as(TestUsers.ADMIN)
        .queryParam("q", old.name())
        .get("/api/v1/machines")
        .then()
        .body("items[0].retired", equalTo(true));
    assertThat(machines.unprotected(100_000).names()).noneMatch(n -> n.startsWith(old.name()));
    assertThat(machines.countInService()).isEqualTo(inService - 1);

    // a worker enrolled for it again brings it back into service
    String again = WorkerCalls.enrolled(old.name());
    WorkerCalls.post(again, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200);
    as(TestUsers.ADMIN)
        .get("/api/v1/machines/" + old.id())
        .then()
        .body("retired", equalTo(false))
        .body("retiredAt", nullValue());
    assertThat(machines.countInService()).isEqualTo(inService);
    try (Connection c = db.getConnection()) {
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'machine.return' and object_id"
                      + " = '"
                      + old.name()
                      + "'"))
          .isEqualTo(1);
    }
  }

  /**
   * A pending restore request of the image onto the target machine's /dev/vdz, as helpdesk asks.
   */
  private static long pendingRestore(Connection c, long image, long source, long target)
      throws Exception {
    return single(
        c,
        "insert into restore_request (image_id, source_machine_id, target_machine_id, target,"
            + " reason, risk, risk_reasons, requested_by, requested_at, expires_at, state,"
            + " fingerprint) values ("
            + image
            + ", "
            + source
            + ", "
            + target
            + ", '/dev/vdz', 'user lost files', 'high', '[]', 'helpdesk-x', now(),"
            + " now() + interval '1 day', 'pending', 'test') returning id");
  }
}
