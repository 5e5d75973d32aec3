package io.holdfast.jobs;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** An admin exports an image's disk: the worker gets the order, its result is kept and audited. */
@QuarkusTest
class ExportJobTest {

  @Inject AgroalDataSource db;

  @Test
  void an_admin_exports_a_partition_in_parts_and_the_worker_reports_the_files() throws Exception {
    ImageFixture f = ImageFixture.create(db);
    long job =
        ((Number)
                as(TestUsers.ADMIN)
                    .body(
                        """
                        {"image":%d,"partition":2,"target":"/srv/exports/data.vhdx",
                         "format":"VHDX","splitBytes":4294967296}
                        """
                            .formatted(f.image()))
                    .post("/api/v1/jobs/export")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();

    JsonPath order = WorkerCalls.poll(f.credential()).extract().jsonPath();
    String at = "jobs.find { it.id == " + job + " }";
    assertThat(order.getString(at + ".type")).isEqualTo("export");
    assertThat(order.getString(at + ".target")).isEqualTo("/srv/exports/data.vhdx");
    assertThat(order.getInt(at + ".partition")).isEqualTo(2);
    assertThat(order.getString(at + ".image")).startsWith("20260101T000000Z-");
    assertThat(order.getString(at + ".export.format")).isEqualTo("vhdx");
    assertThat(order.getLong(at + ".export.splitBytes")).isEqualTo(4294967296L);

    WorkerCalls.post(
            f.credential(),
            "jobs/" + job + "/result",
            """
            {"state":"succeeded","export":{"virtualBytes":33554432,"dataBytes":1048576,
             "fileBytes":6291456,"files":["/srv/exports/data.vhdx.001"]}}
            """)
        .statusCode(204);
    JsonPath done = as(TestUsers.ADMIN).get("/api/v1/jobs/" + job).then().extract().jsonPath();
    assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(done.getString("type")).isEqualTo("export");

    JsonPath audit =
        as(TestUsers.ADMIN)
            .get("/api/v1/audit?action=export.start&limit=200")
            .then()
            .extract()
            .jsonPath();
    assertThat(audit.getList("items.details", String.class))
        .anyMatch(
            d ->
                d.equals(
                    "job "
                        + job
                        + ", vhdx of partition 2 to "
                        + f.host()
                        + ":/srv/exports/data.vhdx in parts of 4294967296 bytes"));
  }

  @Test
  void an_export_that_cannot_be_carried_out_is_refused_with_the_reason() throws Exception {
    ImageFixture f = ImageFixture.create(db);
    refused("{\"image\":" + f.image() + ",\"target\":\"exports/disk.vhdx\"}", "an absolute path");
    refused(
        "{\"image\":" + f.image() + ",\"target\":\"/srv/disk.vmdk\",\"format\":\"vmdk\"}",
        "use vhdx, vhd or raw");
    refused(
        "{\"image\":" + f.image() + ",\"target\":\"/srv/disk.img\",\"splitBytes\":1000}",
        "at least 1 MiB");
    refused("{\"image\":999999999,\"target\":\"/srv/disk.img\"}", "No image 999999999");
    // exporting copies a machine's data out: only an admin may
    String operator = TestUsers.create("operator");
    as(operator)
        .body("{\"image\":" + f.image() + ",\"target\":\"/srv/disk.vhdx\"}")
        .post("/api/v1/jobs/export")
        .then()
        .statusCode(403);
  }

  private static void refused(String body, String reason) {
    as(TestUsers.ADMIN)
        .body(body)
        .post("/api/v1/jobs/export")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString(reason));
  }
}
