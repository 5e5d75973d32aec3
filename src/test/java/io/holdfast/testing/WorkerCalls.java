package io.holdfast.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;

import io.restassured.response.ValidatableResponse;
import java.time.Instant;

/** A worker speaking the worker API through RestAssured, as tests need one. */
public final class WorkerCalls {

  private WorkerCalls() {}

  public static String newToken() {
    return given()
        .auth()
        .preemptive()
        .basic(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
        .contentType("application/json")
        .body("{\"note\":\"test\"}")
        .post("/api/v1/workers/tokens")
        .then()
        .statusCode(201)
        .extract()
        .path("token");
  }

  public static ValidatableResponse enrol(String token, String hostname) {
    return given()
        .contentType("application/json")
        .body(
            "{\"token\":\"" + token + "\",\"hostname\":\"" + hostname + "\",\"version\":\"test\"}")
        .post("/api/worker/v1/enrol")
        .then();
  }

  /** Enrols a new worker for {@code hostname} and returns its credential. */
  public static String enrolled(String hostname) {
    return enrol(newToken(), hostname).statusCode(200).extract().path("credential");
  }

  public static ValidatableResponse post(String credential, String path, String body) {
    return given()
        .header("Authorization", "Bearer " + credential)
        .contentType("application/json")
        .body(body)
        .post("/api/worker/v1/" + path)
        .then();
  }

  /** Polls once with room for two jobs, without waiting; answers with what the console sent. */
  public static ValidatableResponse poll(String credential) {
    return post(credential, "poll", "{\"running\":[],\"capacity\":2,\"waitSeconds\":0}")
        .statusCode(200);
  }

  /** Polls once with room for two jobs and checks that the console hands out this one. */
  public static void claim(String credential, long job) {
    poll(credential).body("jobs.id", hasItem((int) job));
  }

  /**
   * Reports a backup job done with a small image (no disks), as a worker does when its image is
   * written; the console catalogues it.
   */
  public static void succeedBackup(
      String credential, long job, String manifestId, long logicalBytes) {
    post(
            credential,
            "jobs/" + job + "/result",
            """
            {"state":"succeeded","image":{"manifestId":"%s","created":"%s","logicalBytes":%d,
             "usedBytes":4096,"storedBytes":100,"disksJson":"[]"}}
            """
                .formatted(manifestId, Instant.now(), logicalBytes))
        .statusCode(204);
  }

  /** Reports one disk (the GPT fixture path is not read by the console). */
  public static void inventory(String credential, String hostname, String diskPath) {
    post(
            credential,
            "inventory",
            """
        {"hostname":"%s","os":"Linux test","cpus":2,"memoryBytes":1073741824,"version":"test",
         "disks":[{"name":"disk0","path":"%s","size":100663296,
                   "layout":{"scheme":"gpt","sectorSize":512,"diskId":null,"partitions":[],"warnings":[]}}]}
        """
                .formatted(hostname, diskPath))
        .statusCode(204);
  }
}
