package io.holdfast.restores;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The four-eyes restore flow over the REST API, with every refusal a person could meet. */
@QuarkusTest
class RestoreApprovalTest {

  @Inject AgroalDataSource db;
  String helpdesk;
  String secondAdmin;
  String host;
  String credential;
  long machine;
  long image;

  @BeforeEach
  void aMachineWithOneImage() throws Exception {
    helpdesk = TestUsers.create("helpdesk");
    secondAdmin = TestUsers.create("admin");
    ImageFixture f = ImageFixture.create(db);
    host = f.host();
    credential = f.credential();
    machine = f.machine();
    image = f.image();
  }

  private ValidatableResponse request(
      String user, String password, Integer partition, String target) {
    return as(user, password)
        .body(
            "{\"image\":"
                + image
                + ",\"partition\":"
                + partition
                + ",\"targetMachine\":"
                + machine
                + ",\"target\":\""
                + target
                + "\",\"reason\":\"user deleted the payroll folder\"}")
        .post("/api/v1/restores")
        .then();
  }

  @Test
  void helpdesk_requests_another_admin_approves_and_a_restore_job_is_queued() {
    long id =
        ((Number)
                request(helpdesk, TestUsers.PASSWORD, null, "/restore/disk0.img")
                    .statusCode(201)
                    .body("state", equalTo("pending"))
                    .body("risk", equalTo("high"))
                    .body("overwrites", containsString("Everything now on /restore/disk0.img"))
                    .extract()
                    .path("id"))
            .longValue();
    as(helpdesk, TestUsers.PASSWORD)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(403);
    TestUsers.as(TestUsers.ADMIN)
        .body("{\"comment\":\"confirmed with the user\"}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(200)
        .body("state", equalTo("approved"))
        .body("jobState", equalTo("queued"));
    int job =
        TestUsers.as(TestUsers.ADMIN).get("/api/v1/restores/" + id).then().extract().path("jobId");
    TestUsers.as(TestUsers.ADMIN)
        .get("/api/v1/jobs/" + job)
        .then()
        .body("type", equalTo("restore"))
        .body("requestedBy", equalTo(helpdesk));
    assertThat(
            TestUsers.as(TestUsers.ADMIN)
                .get("/api/v1/audit?action=restore.")
                .then()
                .extract()
                .jsonPath()
                .getList("items.action", String.class))
        .contains("restore.request", "restore.approve");
  }

  @Test
  void the_requester_can_never_approve_their_own_request() {
    long id =
        ((Number)
                request(secondAdmin, TestUsers.PASSWORD, 2, "/restore/p2.img")
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    as(secondAdmin, TestUsers.PASSWORD)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(409)
        .contentType(startsWith("application/problem+json"))
        .body("detail", equalTo("You requested this restore; another person must approve it."));
  }

  @Test
  void an_approval_is_single_use() {
    long id =
        ((Number)
                request(helpdesk, TestUsers.PASSWORD, 2, "/restore/p2-once.img")
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    TestUsers.as(TestUsers.ADMIN)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(200);
    as(secondAdmin, TestUsers.PASSWORD)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(409)
        .body("detail", containsString("is approved; only a pending request can be decided"));
  }

  @Test
  void an_expired_request_cannot_be_approved() throws Exception {
    long id =
        ((Number)
                request(helpdesk, TestUsers.PASSWORD, 2, "/restore/late.img")
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update restore_request set expires_at = now() - interval '1 minute' where id = "
                  + id);
    }
    TestUsers.as(TestUsers.ADMIN)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(409)
        .body("detail", containsString("is expired"))
        .body("detail", containsString("Ask for a new request"));
    TestUsers.as(TestUsers.ADMIN)
        .get("/api/v1/restores/" + id)
        .then()
        .body("state", equalTo("expired"));
  }

  @Test
  void a_request_changed_behind_the_consoles_back_is_refused() throws Exception {
    long id =
        ((Number)
                request(helpdesk, TestUsers.PASSWORD, 2, "/restore/safe.img")
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate("update restore_request set target = '/dev/sda' where id = " + id);
    }
    TestUsers.as(TestUsers.ADMIN)
        .get("/api/v1/restores/" + id)
        .then()
        .body("intact", equalTo(false));
    TestUsers.as(TestUsers.ADMIN)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(409)
        .body("detail", containsString("was changed after it was made"));
  }

  @Test
  void a_target_disk_smaller_than_the_image_is_refused_before_anyone_is_asked() throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update disk set size_bytes = 1000 where path = '/dev/vdz' and machine_id = "
                  + machine);
    }
    request(helpdesk, TestUsers.PASSWORD, null, "/dev/vdz")
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("holds 1000 bytes; the restore needs 100663296"));
  }

  @Test
  void a_restore_must_go_onto_a_place_of_its_own_shape_and_size() {
    // the worker now reports the partitions on its disk: a 1 MiB one and a 40 MiB one
    WorkerCalls.post(
            credential,
            "inventory",
            """
            {"hostname":"%s","os":"Linux test","cpus":2,"memoryBytes":1073741824,"version":"test",
             "disks":[{"name":"disk0","path":"/dev/vdz","size":100663296,
                       "layout":{"scheme":"gpt","sectorSize":512,"diskId":null,"warnings":[],
                                 "partitions":[
               {"number":1,"offset":1048576,"length":1048576,"typeName":"EFI System"},
               {"number":2,"offset":2097152,"length":41943040,"typeName":"Linux filesystem"}]},
                       "inUse":["/dev/vdz1 is mounted at /boot/efi"]}]}
            """
                .formatted(host))
        .statusCode(204);
    request(helpdesk, TestUsers.PASSWORD, 2, "/dev/vdz")
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("/dev/vdz is the whole disk disk0 of " + host))
        .body("detail", containsString("would be written over its partition table"))
        .body("detail", containsString("such as /dev/vdz2"));
    request(helpdesk, TestUsers.PASSWORD, null, "/dev/vdz2")
        .statusCode(400)
        .body("detail", containsString("/dev/vdz2 is partition 2 of disk0"))
        .body("detail", containsString("a whole disk does not fit into a partition"));
    request(helpdesk, TestUsers.PASSWORD, 2, "/dev/vdz1")
        .statusCode(400)
        .body(
            "detail",
            containsString(
                "/dev/vdz1 of " + host + " holds 1048576 bytes; the restore needs 33554432"));
    request(helpdesk, TestUsers.PASSWORD, 2, " /dev/vdz2 ")
        .statusCode(201)
        .body("target", equalTo("/dev/vdz2"))
        .body("risk", equalTo("low"))
        .body("riskReasons", not(containsString("in use")));
    // the approver learns that the worker saw the whole disk in use through its first partition
    request(helpdesk, TestUsers.PASSWORD, null, "/dev/vdz")
        .statusCode(201)
        .body(
            "riskReasons",
            containsString(
                "in use when its worker last looked (/dev/vdz1 is mounted at /boot/efi): the worker"
                    + " will not write to it until that ends"));
    TestUsers.as(TestUsers.ADMIN)
        .get("/api/v1/machines/" + machine)
        .then()
        .body("disks[0].inUse[0]", equalTo("/dev/vdz1 is mounted at /boot/efi"));
  }

  private ValidatableResponse requestFiles(Integer partition, String target, String filesJson) {
    return as(helpdesk, TestUsers.PASSWORD)
        .body(
            """
            {"image":%d,"partition":%s,"targetMachine":%d,"target":"%s",
             "reason":"user deleted the report","files":%s}
            """
                .formatted(image, partition, machine, target, filesJson))
        .post("/api/v1/restores")
        .then();
  }

  @Test
  void a_file_restore_is_approved_like_any_restore_and_names_its_files_to_the_worker() {
    long id =
        ((Number)
                requestFiles(
                        2,
                        "/home/alice/restored",
                        "[\"C:\\\\Users\\\\alice\\\\report.docx\", \"/etc/\", \"\"]")
                    .statusCode(201)
                    .body("state", equalTo("pending"))
                    .body("risk", equalTo("low"))
                    .body(
                        "riskReasons",
                        equalTo("files copied into a new folder, overwriting nothing"))
                    .body(
                        "files", org.hamcrest.Matchers.contains("/Users/alice/report.docx", "/etc"))
                    .body(
                        "overwrites",
                        startsWith(
                            "Copies /Users/alice/report.docx, /etc from partition 2 of the backup of "))
                    .body("overwrites", containsString("into the folder /home/alice/restored on "))
                    .extract()
                    .path("id"))
            .longValue();
    TestUsers.as(TestUsers.ADMIN)
        .body("{}")
        .post("/api/v1/restores/" + id + "/approve")
        .then()
        .statusCode(200)
        .body("state", equalTo("approved"));
    long job =
        ((Number)
                TestUsers.as(TestUsers.ADMIN)
                    .get("/api/v1/restores/" + id)
                    .then()
                    .extract()
                    .path("jobId"))
            .longValue();
    var order = WorkerCalls.poll(credential).extract().jsonPath();
    String at = "jobs.find { it.id == " + job + " }";
    assertThat(order.getString(at + ".type")).isEqualTo("restore-files");
    assertThat(order.getString(at + ".target")).isEqualTo("/home/alice/restored");
    assertThat(order.getInt(at + ".partition")).isEqualTo(2);
    assertThat(order.getList(at + ".files", String.class))
        .containsExactly("/Users/alice/report.docx", "/etc");
  }

  @Test
  void a_file_restore_needs_a_filesystem_a_folder_and_paths_that_do_not_collide() {
    requestFiles(null, "/home/alice/restored", "[\"/etc/hosts\"]")
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("detail", equalTo("Say which partition of the disk holds the files."));
    requestFiles(2, "restored", "[\"/etc/hosts\"]")
        .statusCode(400)
        .body("detail", containsString("give its full path on " + host));
    requestFiles(2, "/r", "[\"/a/hosts\", \"/b/HOSTS\"]")
        .statusCode(400)
        .body("detail", containsString("Two of the paths end in the same name"));
    requestFiles(2, "/r", "[\"/etc/../root\"]")
        .statusCode(400)
        .body("detail", containsString("may not go up with '..'"));
  }

  /**
   * Every filesystem the worker can list files of may be a file restore's source, LVM physical
   * volumes included (the console used to refuse XFS and exFAT); swap may not.
   */
  @Test
  void a_file_restore_may_come_from_any_filesystem_the_engine_lists() throws Exception {
    String was = "ext4";
    for (String fs : List.of("xfs", "btrfs", "exfat", "lvm2", "swap")) {
      try (Connection c = db.getConnection()) {
        c.createStatement()
            .executeUpdate(
                "update image set disks = replace(disks, '\"filesystem\":\""
                    + was
                    + "\"', '\"filesystem\":\""
                    + fs
                    + "\"') where id = "
                    + image);
      }
      was = fs;
      if (fs.equals("swap")) {
        requestFiles(2, "/r", "[\"/etc/hosts\"]")
            .statusCode(400)
            .body("detail", containsString("holds swap; files can be restored from"));
      } else {
        requestFiles(2, "/r-" + fs, "[\"/root/etc/hosts\"]").statusCode(201);
      }
    }
  }

  @Test
  void a_restore_onto_an_offline_machine_is_refused() throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "update machine set last_seen_at = now() - interval '1 hour' where id = " + machine);
    }
    request(helpdesk, TestUsers.PASSWORD, 2, "/restore/x.img")
        .statusCode(409)
        .body("detail", containsString("is offline"));
  }

  @Test
  void an_auditor_cannot_request_a_restore() {
    String auditor = TestUsers.create("auditor");
    request(auditor, TestUsers.PASSWORD, 2, "/restore/x.img").statusCode(403);
  }
}
