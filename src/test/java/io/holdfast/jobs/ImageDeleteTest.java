package io.holdfast.jobs;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.testing.Catalogue;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** An admin deletes one image: asked why, refused while something needs it, done by a worker. */
@QuarkusTest
class ImageDeleteTest {

  @Inject JobService jobs;
  @Inject AgroalDataSource db;

  @Test
  void an_admin_deletes_an_image_with_a_reason_once_nothing_needs_it() throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    TestMachine m = TestMachine.enrol(db, "erase");
    long backup = jobs.enqueueBackup(m.id(), null, "test", "test", RequestOrigin.SYSTEM);
    WorkerCalls.claim(m.credential(), backup);
    String manifest = "20261203T130000Z-0000e7a5";
    WorkerCalls.succeedBackup(m.credential(), backup, manifest, 1 << 20);
    long image = jobs.get(backup).orElseThrow().imageId();
    String body = "{\"image\":" + image + ",\"reason\":\"holds data erased on request 4711\"}";

    as(TestUsers.create("operator")).body(body).post("/api/v1/jobs/prune").then().statusCode(403);
    as(TestUsers.ADMIN)
        .body("{\"image\":" + image + ",\"reason\":\" \"}")
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("Say why the image is deleted"));

    // a verify that reads it is queued: the image stays
    long verify = jobs.enqueueVerify(image, "test", "test", RequestOrigin.SYSTEM);
    as(TestUsers.ADMIN)
        .body(body)
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(409)
        .body("detail", containsString("Image " + manifest + " is still needed"));
    jobs.cancel(verify, "test", RequestOrigin.SYSTEM);

    long prune =
        ((Number)
                as(TestUsers.ADMIN)
                    .body(body)
                    .post("/api/v1/jobs/prune")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();
    as(TestUsers.ADMIN)
        .body(body)
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(409)
        .body("detail", containsString("is being deleted already, by job " + prune));
    try (Connection c = db.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "select type, requested_by, params, machine_id from job where id = " + prune)) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("prune");
      assertThat(rs.getString(2)).isEqualTo(TestUsers.ADMIN);
      ObjectMapper json = new ObjectMapper();
      assertThat(json.readTree(rs.getString(3)))
          .isEqualTo(json.readTree("{\"images\":[\"" + manifest + "\"],\"owner\":" + m.id() + "}"));
      assertThat(rs.getLong(4)).isEqualTo(m.id());
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'image.delete' and object_id = '"
                      + manifest
                      + "' and actor = 'admin' and details like '%erased on request 4711'"))
          .isEqualTo(1);
    }

    // the machine's worker deletes the manifest and reports it: the image leaves the catalogue
    WorkerCalls.claim(m.credential(), prune);
    WorkerCalls.post(
            m.credential(),
            "jobs/" + prune + "/result",
            "{\"state\":\"succeeded\",\"prune\":{\"removed\":[\""
                + manifest
                + "\"],\"missing\":[]}}")
        .statusCode(204);
    as(TestUsers.ADMIN).get("/api/v1/images/" + image).then().statusCode(404);
    as(TestUsers.ADMIN)
        .body(body)
        .post("/api/v1/jobs/prune")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"));
  }

  @Test
  void
      the_image_of_a_machine_that_is_gone_is_deleted_by_another_worker_that_reaches_its_repository()
          throws Exception {
    TestMachine gone = TestMachine.enrol(db, "gone");
    TestMachine keeper = TestMachine.enrol(db, "keeper");
    long repo;
    long goneImage;
    long keeperImage;
    long lastImage;
    try (Connection c = db.getConnection()) {
      repo = Catalogue.repository(c, "shared", "/srv/holdfast/shared", 4);
      goneImage =
          Catalogue.image(
              c, repo, gone.id(), "20261201T010000Z-00000001", "now() - interval '1 day'");
      lastImage =
          Catalogue.image(
              c, repo, gone.id(), "20261201T020000Z-00000002", "now() - interval '1 day'");
      keeperImage =
          Catalogue.image(
              c, repo, keeper.id(), "20261202T010000Z-00000003", "now() - interval '1 hour'");
      // the machine was switched off for good two days ago; its worker never polls again
      Catalogue.lastSeen(c, gone.id(), "2 days");
    }

    long prune =
        jobs.enqueueImageDelete(
            goneImage, "machine scrapped", TestUsers.ADMIN, RequestOrigin.SYSTEM);
    try (Connection c = db.getConnection()) {
      assertThat(single(c, "select machine_id from job where id = " + prune))
          .isEqualTo(keeper.id());
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where action = 'prune.start' and object_id = '"
                      + gone.name()
                      + "' and details like '%run by the worker of "
                      + keeper.name()
                      + "'"))
          .isEqualTo(1);
    }
    // the keeper's worker gets it, told whose image to delete (the engine checks the manifest's
    // machine against that name before it deletes anything)
    JsonPath poll = WorkerCalls.poll(keeper.credential()).extract().jsonPath();
    String order = "jobs.find { it.id == " + prune + " }";
    assertThat(poll.getString(order + ".type")).isEqualTo("prune");
    assertThat(poll.getString(order + ".machine")).isEqualTo(gone.name());
    assertThat(poll.getString(order + ".repository")).isEqualTo("/srv/holdfast/shared");
    assertThat(poll.getList(order + ".prune", String.class))
        .containsExactly("20261201T010000Z-00000001");
    WorkerCalls.post(
            keeper.credential(),
            "jobs/" + prune + "/result",
            "{\"state\":\"succeeded\",\"prune\":{\"removed\":[\"20261201T010000Z-00000001\"],"
                + "\"missing\":[]}}")
        .statusCode(204);
    as(TestUsers.ADMIN).get("/api/v1/images/" + goneImage).then().statusCode(404);
    as(TestUsers.ADMIN).get("/api/v1/images/" + keeperImage).then().statusCode(200);

    // with no worker of the repository online, the job waits for the image's own machine
    try (Connection c = db.getConnection()) {
      Catalogue.lastSeen(c, keeper.id(), "2 days");
      long waiting =
          jobs.enqueueImageDelete(
              lastImage, "machine scrapped", TestUsers.ADMIN, RequestOrigin.SYSTEM);
      assertThat(single(c, "select machine_id from job where id = " + waiting))
          .isEqualTo(gone.id());
    }
  }
}
