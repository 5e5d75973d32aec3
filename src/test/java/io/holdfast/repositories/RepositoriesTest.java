package io.holdfast.repositories;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Admins add, change and remove repositories; what would lose images is refused. */
@QuarkusTest
class RepositoriesTest {

  @Inject AgroalDataSource db;

  @Test
  void an_admin_adds_renames_and_removes_a_repository_and_what_is_in_use_stays() throws Exception {
    String tag = String.valueOf(System.nanoTime() % 1_000_000_000);
    String name = "nas-" + tag;
    long id =
        as(TestUsers.ADMIN)
            .body("{\"name\":\"" + name + "\",\"path\":\"/mnt/nas/" + tag + "/./holdfast\"}")
            .post("/api/v1/repositories")
            .then()
            .statusCode(201)
            .body("name", equalTo(name))
            .body("path", equalTo("/mnt/nas/" + tag + "/holdfast"))
            .body("maxJobs", equalTo(4))
            .extract()
            .jsonPath()
            .getLong("id");
    assertThat(
            as(TestUsers.ADMIN)
                .get("/api/v1/repositories")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("name", String.class))
        .contains("default", name);

    // what cannot be carried out is refused with the reason
    refused("{\"name\":\"" + name.toUpperCase() + "\",\"path\":\"/srv/a\"}", 409, "exists already");
    refused("{\"name\":\"my repo\",\"path\":\"/srv/a\"}", 400, "letters, digits");
    refused("{\"name\":\"rel-" + tag + "\",\"path\":\"srv/a\"}", 400, "absolute folder");
    refused("{\"name\":\"jobs-" + tag + "\",\"path\":\"/srv/a\",\"maxJobs\":0}", 400, "1 to 64");
    as(TestUsers.create("operator"))
        .body("{\"name\":\"op-" + tag + "\",\"path\":\"/srv/a\"}")
        .post("/api/v1/repositories")
        .then()
        .statusCode(403);

    // renamed, more jobs, and while it holds nothing, a new folder
    String renamed = "offsite-" + tag;
    as(TestUsers.ADMIN)
        .body("{\"name\":\"" + renamed + "\",\"path\":\"/mnt/offsite/" + tag + "\",\"maxJobs\":8}")
        .put("/api/v1/repositories/" + id)
        .then()
        .statusCode(200)
        .body("name", equalTo(renamed))
        .body("path", equalTo("/mnt/offsite/" + tag))
        .body("maxJobs", equalTo(8));

    // a plan backs up into it, and an image is there: the folder stays, and so does it
    String host = "repo-" + tag;
    String credential = WorkerCalls.enrolled(host);
    WorkerCalls.inventory(credential, host, "/dev/vdz");
    long machine;
    try (Connection c = db.getConnection()) {
      machine = single(c, "select machine_id from worker where id = " + credential.split("_")[1]);
      c.createStatement()
          .executeUpdate(
              "insert into image (repository_id, machine_id, manifest_id, created_at,"
                  + " logical_bytes, used_bytes, stored_bytes, disks) values ("
                  + id
                  + ", "
                  + machine
                  + ", 'in-"
                  + tag
                  + "', now(), 1048576, 524288, 262144, '[]')");
    }
    as(TestUsers.ADMIN)
        .body(
            """
            {"name":"Into %s","machine":%d,"repository":%d,"schedule":"0 2 * * *"}
            """
                .formatted(renamed, machine, id))
        .post("/api/v1/plans")
        .then()
        .statusCode(201);
    as(TestUsers.ADMIN)
        .body("{\"name\":\"" + renamed + "\",\"path\":\"/mnt/elsewhere\"}")
        .put("/api/v1/repositories/" + id)
        .then()
        .statusCode(409)
        .body("detail", containsString("holds 1 image(s) in /mnt/offsite/" + tag));
    as(TestUsers.ADMIN)
        .delete("/api/v1/repositories/" + id)
        .then()
        .statusCode(409)
        .body("detail", containsString("is in use (1 plan(s), 1 image(s), 0 job(s))"));

    // one nothing used goes; the default one never does
    long unused =
        as(TestUsers.ADMIN)
            .body("{\"name\":\"spare-" + tag + "\",\"path\":\"/srv/spare\"}")
            .post("/api/v1/repositories")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("id");
    as(TestUsers.ADMIN).delete("/api/v1/repositories/" + unused).then().statusCode(204);
    long fallback;
    try (Connection c = db.getConnection()) {
      fallback = single(c, "select id from repository where name = 'default'");
      assertThat(
              single(
                  c,
                  "select count(*) from audit_event where object_id in ('"
                      + name
                      + "', '"
                      + renamed
                      + "', 'spare-"
                      + tag
                      + "') and action in ('repository.create', 'repository.update',"
                      + " 'repository.delete')"))
          .as("created twice, updated once, deleted once")
          .isEqualTo(4);
    }
    as(TestUsers.ADMIN)
        .delete("/api/v1/repositories/" + fallback)
        .then()
        .statusCode(409)
        .body("detail", containsString("default repository stays"));

    // an encrypted one: chosen when added, and a backup tells the worker to make it so
    String vault = "vault-" + tag;
    long encrypted =
        as(TestUsers.ADMIN)
            .body("{\"name\":\"" + vault + "\",\"path\":\"/srv/" + vault + "\",\"encrypted\":true}")
            .post("/api/v1/repositories")
            .then()
            .statusCode(201)
            .body("encrypted", equalTo(true))
            .extract()
            .jsonPath()
            .getLong("id");
    as(TestUsers.ADMIN)
        .body("{\"name\":\"" + vault + "\",\"path\":\"/srv/" + vault + "\",\"encrypted\":false}")
        .put("/api/v1/repositories/" + encrypted)
        .then()
        .statusCode(400)
        .body("detail", containsString("chosen when a repository is added"));
    long plan =
        as(TestUsers.ADMIN)
            .body(
                """
                {"name":"Into %s","machine":%d,"repository":%d,"schedule":"0 2 * * *"}
                """
                    .formatted(vault, machine, encrypted))
            .post("/api/v1/plans")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("id");
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    long backup =
        as(TestUsers.ADMIN)
            .post("/api/v1/plans/" + plan + "/run")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getLong("job");
    io.restassured.path.json.JsonPath order = WorkerCalls.poll(credential).extract().jsonPath();
    String mine = "jobs.find { it.id == " + backup + " }";
    assertThat(order.getString(mine + ".repository")).isEqualTo("/srv/" + vault);
    assertThat(order.getBoolean(mine + ".encrypt")).isTrue();
  }

  private static void refused(String body, int status, String reason) {
    as(TestUsers.ADMIN)
        .body(body)
        .post("/api/v1/repositories")
        .then()
        .statusCode(status)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString(reason));
  }
}
