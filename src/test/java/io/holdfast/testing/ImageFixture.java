package io.holdfast.testing;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;

/**
 * A machine with one catalogued image, made through the real APIs: a worker enrols and reports a
 * disk, an admin starts a backup, the worker claims it and reports an image whose disk 0 has an EFI
 * system partition (1) and a data partition (2).
 */
public record ImageFixture(String host, String credential, long machine, long image) {

  public static ImageFixture create(AgroalDataSource db) throws Exception {
    String host = "restore-" + System.nanoTime();
    String cred = WorkerCalls.enrolled(host);
    WorkerCalls.inventory(cred, host, "/dev/vdz");
    long machine =
        ((Number)
                TestUsers.as(TestUsers.ADMIN)
                    .get("/api/v1/machines?q=" + host)
                    .then()
                    .extract()
                    .path("items[0].id"))
            .longValue();
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }
    long job =
        ((Number)
                TestUsers.as(TestUsers.ADMIN)
                    .body("{\"machine\":" + machine + "}")
                    .post("/api/v1/jobs/backup")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();
    WorkerCalls.post(cred, "poll", "{\"running\":[],\"capacity\":1,\"waitSeconds\":0}")
        .statusCode(200);
    String disks =
        "[{\\\"name\\\":\\\"disk0\\\",\\\"size\\\":100663296,\\\"layout\\\":{\\\"scheme\\\":\\\"gpt\\\",\\\"partitions\\\":["
            + "{\\\"number\\\":1,\\\"offset\\\":1048576,\\\"length\\\":1048576,\\\"typeName\\\":\\\"EFI System\\\"},"
            + "{\\\"number\\\":2,\\\"offset\\\":2097152,\\\"length\\\":33554432,\\\"typeName\\\":\\\"Linux filesystem\\\",\\\"name\\\":\\\"data\\\"}]},"
            + "\\\"imaging\\\":[{\\\"number\\\":1,\\\"filesystem\\\":\\\"fat32\\\",\\\"method\\\":\\\"used-blocks\\\"},"
            + "{\\\"number\\\":2,\\\"filesystem\\\":\\\"ext4\\\",\\\"method\\\":\\\"used-blocks\\\"}]}]";
    WorkerCalls.post(
            cred,
            "jobs/" + job + "/result",
            "{\"state\":\"succeeded\",\"image\":{\"manifestId\":\"20260101T000000Z-"
                + job
                + "\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"logicalBytes\":100663296,\"usedBytes\":1000,\"storedBytes\":1000,\"disksJson\":\""
                + disks
                + "\"}}")
        .statusCode(204);
    long image =
        ((Number)
                TestUsers.as(TestUsers.ADMIN)
                    .get("/api/v1/images?machine=" + machine)
                    .then()
                    .extract()
                    .path("items[0].id"))
            .longValue();
    return new ImageFixture(host, cred, machine, image);
  }

  /** The JSON body of a restore request of this image back onto its own machine. */
  public String restoreRequest(Integer partition, String target) {
    return "{\"image\":"
        + image
        + ",\"partition\":"
        + partition
        + ",\"targetMachine\":"
        + machine
        + ",\"target\":\""
        + target
        + "\",\"reason\":\"user deleted the payroll folder\"}";
  }
}
