package io.holdfast.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Console;
import io.holdfast.testing.WorkerProcess;
import io.restassured.path.json.JsonPath;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers and consoles die mid-job; jobs still end cleanly and no half image is catalogued. */
class WorkerFaultsIT {

  @TempDir Path tmp;
  Path bigDisk;

  @BeforeEach
  void bigIncompressibleDisk() throws Exception {
    bigDisk = tmp.resolve("big.img");
    try (OutputStream out = Files.newOutputStream(bigDisk)) {
      Random r = new Random(7);
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 1024; i++) {
        r.nextBytes(block);
        out.write(block);
      }
    }
  }

  @Test
  void a_worker_killed_mid_backup_fails_the_job_as_lost_and_the_retry_succeeds() throws Exception {
    try (AppProcess app = AppProcess.start(tmp.resolve("data"), WorkerEndToEndIT.env(tmp))) {
      Console console = new Console(app.baseUrl(), WorkerEndToEndIT.PASSWORD);
      Path state = tmp.resolve("state");
      WorkerProcess worker =
          WorkerProcess.start(app.baseUrl(), console.newToken(), state, "killed-host", bigDisk);
      long machine = console.awaitMachine("killed-host");
      long job = console.post("/api/v1/jobs/backup", "{\"machine\":" + machine + "}");
      console.await("/api/v1/jobs/" + job, j -> j.getLong("bytesDone") > 0, Duration.ofSeconds(60));
      worker.kill();

      JsonPath requeued =
          console.await(
              "/api/v1/jobs/" + job,
              j -> j.getString("state").equals("QUEUED"),
              Duration.ofSeconds(60));
      assertThat(requeued.getString("error")).startsWith("Worker lost");
      assertThat(console.get("/api/v1/images?machine=" + machine).getInt("total")).isZero();

      try (WorkerProcess again =
          WorkerProcess.start(app.baseUrl(), null, state, "killed-host", bigDisk)) {
        JsonPath done = console.awaitJobEnd(job, Duration.ofSeconds(180));
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("attempts")).isEqualTo(2);
      }
      assertThat(console.get("/api/v1/images?machine=" + machine).getInt("total")).isEqualTo(1);
    }
  }

  @Test
  void a_console_restart_mid_job_does_not_lose_the_outcome() throws Exception {
    int port = AppProcess.freePort();
    Path data = tmp.resolve("data");
    AppProcess app = AppProcess.start(data, WorkerEndToEndIT.env(tmp), port);
    Console console = new Console(app.baseUrl(), WorkerEndToEndIT.PASSWORD);
    try (WorkerProcess worker =
        WorkerProcess.start(
            app.baseUrl(), console.newToken(), tmp.resolve("state"), "restart-host", bigDisk)) {
      long machine = console.awaitMachine("restart-host");
      long job = console.post("/api/v1/jobs/backup", "{\"machine\":" + machine + "}");
      console.await("/api/v1/jobs/" + job, j -> j.getLong("bytesDone") > 0, Duration.ofSeconds(60));
      app.close();
      try (AppProcess restarted = AppProcess.start(data, WorkerEndToEndIT.env(tmp), port)) {
        JsonPath done = console.awaitJobEnd(job, Duration.ofSeconds(180));
        JsonPath images = console.get("/api/v1/images?machine=" + machine);
        String story =
            done.prettify()
                + "\njob log: "
                + console.get("/api/v1/jobs/" + job + "/log").prettify()
                + "\nimages: "
                + images.prettify()
                + "\nworker log:\n"
                + worker.log();
        // the worker's own attempt counts, whether its result arrives before or after the console
        // would call it lost: one job, one image, and no manifest left out of the catalogue
        assertThat(done.getString("state")).as(story).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("attempts")).as(story).isEqualTo(1);
        assertThat(images.getInt("total")).as(story).isEqualTo(1);
        try (var manifests = Files.walk(tmp.resolve("repository").resolve("manifests"))) {
          assertThat(manifests.filter(f -> f.toString().endsWith(".json")).count())
              .as(story)
              .isEqualTo(1);
        }
        assertThat(worker.alive()).isTrue();
      }
    }
  }
}
