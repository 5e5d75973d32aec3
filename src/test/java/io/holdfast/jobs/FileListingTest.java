package io.holdfast.jobs;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Someone choosing files to restore asks for a folder of an image: a worker that reaches the
 * repository lists it, the asker (and only the asker, or an admin) reads the listing, and the audit
 * trail says who looked at which folder.
 */
@QuarkusTest
class FileListingTest {

  @Inject AgroalDataSource db;

  @Test
  void helpdesk_lists_a_folder_through_the_images_worker_and_reads_the_listing() throws Exception {
    ImageFixture f = ImageFixture.create(db);
    String helpdesk = TestUsers.create("helpdesk");
    long job =
        ((Number)
                as(helpdesk, TestUsers.PASSWORD)
                    .body(
                        """
                        {"image":%d,"partition":2,"path":"/home/alice"}
                        """
                            .formatted(f.image()))
                    .post("/api/v1/jobs/list-files")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();
    as(helpdesk, TestUsers.PASSWORD)
        .get("/api/v1/jobs/" + job + "/listing")
        .then()
        .statusCode(200)
        .body("state", equalTo("QUEUED"));

    JsonPath order = WorkerCalls.poll(f.credential()).extract().jsonPath();
    String at = "jobs.find { it.id == " + job + " }";
    assertThat(order.getString(at + ".type")).isEqualTo("list-files");
    assertThat(order.getInt(at + ".partition")).isEqualTo(2);
    assertThat(order.getList(at + ".files", String.class)).containsExactly("/home/alice");
    WorkerCalls.post(
            f.credential(),
            "jobs/" + job + "/result",
            """
            {"state":"succeeded","listing":{"path":"/home/alice","filesystem":"ext4",
             "truncated":false,"items":[
               {"name":"Documents","kind":"directory","size":0,"modified":"2026-11-30T10:00:00Z"},
               {"name":"notes.txt","kind":"file","size":1234,"modified":null}]}}
            """)
        .statusCode(204);

    JsonPath listing =
        as(helpdesk, TestUsers.PASSWORD)
            .get("/api/v1/jobs/" + job + "/listing")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(listing.getString("state")).isEqualTo("SUCCEEDED");
    assertThat(listing.getString("listing.filesystem")).isEqualTo("ext4");
    assertThat(listing.getList("listing.items.name", String.class))
        .containsExactly("Documents", "notes.txt");
    assertThat(listing.getLong("listing.items[1].size")).isEqualTo(1234);

    String other = TestUsers.create("helpdesk");
    as(other, TestUsers.PASSWORD).get("/api/v1/jobs/" + job + "/listing").then().statusCode(403);
    TestUsers.as(TestUsers.ADMIN).get("/api/v1/jobs/" + job + "/listing").then().statusCode(200);
    assertThat(
            TestUsers.as(TestUsers.ADMIN)
                .get("/api/v1/jobs?limit=500")
                .then()
                .extract()
                .jsonPath()
                .getList("items.type", String.class))
        .as("listings stay out of the job list")
        .doesNotContain("list-files");
    assertThat(
            TestUsers.as(TestUsers.ADMIN)
                .get("/api/v1/audit?action=image.browse&limit=200")
                .then()
                .extract()
                .jsonPath()
                .getList("items.details", String.class))
        .anyMatch(d -> d.equals("job " + job + ": /home/alice of partition 2 by " + f.host()));
  }

  @Test
  void an_auditor_cannot_ask_for_a_listing() throws Exception {
    ImageFixture f = ImageFixture.create(db);
    String auditor = TestUsers.create("auditor");
    as(auditor, TestUsers.PASSWORD)
        .body("{\"image\":%d,\"partition\":2,\"path\":\"/\"}".formatted(f.image()))
        .post("/api/v1/jobs/list-files")
        .then()
        .statusCode(403);
  }
}
