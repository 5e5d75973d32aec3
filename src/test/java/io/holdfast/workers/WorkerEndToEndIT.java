package io.holdfast.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.ops.CreateImage;
import io.holdfast.engine.store.Repository;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Console;
import io.holdfast.testing.WorkerProcess;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged console and a real worker process on loopback: the whole loop. */
class WorkerEndToEndIT {

  static final String PASSWORD = "end-to-end-admin-pw";
  @TempDir Path tmp;

  static Map<String, String> env(Path tmp) {
    return Map.of(
        "HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD", PASSWORD,
        "HOLDFAST_LOCAL_WORKER_ENABLED", "false",
        "HOLDFAST_REPOSITORIES_DEFAULT_PATH", tmp.resolve("repository").toString(),
        "HOLDFAST_JOBS_WORKER_LOST_AFTER", "PT8S",
        "HOLDFAST_JOBS_MONITOR_EVERY", "1s",
        // chunks a deleted image leaves are collected at once, as after its grace period
        "HOLDFAST_MAINTENANCE_GC_GRACE", "PT0S");
  }

  @Test
  void enrol_inventory_backup_verify_and_restore_with_a_real_worker() throws Exception {
    try (AppProcess app = AppProcess.start(tmp.resolve("data"), env(tmp))) {
      Console console = new Console(app.baseUrl(), PASSWORD);
      Path state = tmp.resolve("worker-state");
      try (WorkerProcess worker =
          WorkerProcess.start(
              app.baseUrl(), console.newToken(), state, "e2e-host", Fixtures.gptDisk())) {
        long machine = console.awaitMachine("e2e-host");
        JsonPath detail = console.get("/api/v1/machines/" + machine);
        assertThat(detail.getString("disks[0].name")).isEqualTo("gpt.img");
        assertThat(detail.getList("disks[0].layout.partitions")).hasSize(3);
        assertThat(Files.getPosixFilePermissions(state.resolve("credential.properties")))
            .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        long backup =
            console
                .runJob(
                    "/api/v1/jobs/backup",
                    "{\"machine\":" + machine + "}",
                    Duration.ofSeconds(120),
                    worker::log)
                .getLong("id");
        JsonPath images = console.get("/api/v1/images?machine=" + machine);
        assertThat(images.getList("items")).hasSize(1);
        long image = images.getLong("items[0].id");
        assertThat(images.getLong("items[0].usedBytes"))
            .isLessThan(Files.size(Fixtures.gptDisk()) / 3);

        console.runJob(
            "/api/v1/jobs/verify",
            "{\"image\":" + image + "}",
            Duration.ofSeconds(60),
            worker::log);
        assertThat(console.get("/api/v1/images/" + image).getString("verifyStatus"))
            .isEqualTo("sound");

        Path restored = tmp.resolve("restored.img");
        console.restore(image, machine, restored, null, worker::log);
        assertThat(Tools.run("sgdisk", "-v", restored.toString()).output())
            .contains("No problems found");
        Path p2 = tmp.resolve("p2.img");
        console.restore(image, machine, p2, 2, worker::log);
        assertThat(Tools.run("fsck.ext4", "-fn", p2.toString()).exit()).isZero();
        assertThat(Tools.run("debugfs", "-R", "cat /data/blob.bin", p2.toString()).stdout())
            .isEqualTo(Files.readAllBytes(Fixtures.file("root/data/blob.bin")));

        assertThat(console.get("/api/v1/jobs/" + backup + "/log").getList("message", String.class))
            .anyMatch(m -> m.startsWith("Image "));
        assertThat(console.get("/api/v1/audit?action=job.succeeded").getInt("total")).isEqualTo(4);

        // an admin exports the disk as a VHDX on the machine: qemu reads the restored disk in it
        Path vhdx = tmp.resolve("exports/disk0.vhdx");
        Files.createDirectories(vhdx.getParent());
        JsonPath export =
            console.runJob(
                "/api/v1/jobs/export",
                "{\"image\":" + image + ",\"target\":\"" + vhdx + "\",\"format\":\"vhdx\"}",
                Duration.ofSeconds(60),
                worker::log);
        assertThat(export.getString("type")).isEqualTo("export");
        assertThat(Tools.check("qemu-img", "check", "-f", "vhdx", vhdx.toString()).output())
            .contains("No errors were found");
        Tools.assertVhdxHolds(restored, vhdx);
        assertThat(console.get("/api/v1/audit?action=export.start").getInt("total")).isEqualTo(1);

        maintainTheRepository(console, worker, tmp.resolve("repository"), image, machine);
        aPlanKeepsTheNewestImageOnly(console, worker, tmp.resolve("repository"), image, machine);
      }
    }
  }

  /**
   * A plan that keeps one image runs: the real worker backs the machine up at the plan's
   * compression, verifies the new image as the plan asks, and deletes the older image's manifest;
   * the catalogue no longer lists it.
   */
  private void aPlanKeepsTheNewestImageOnly(
      Console console, WorkerProcess worker, Path repository, long older, long machine)
      throws Exception {
    Repository repo = Repository.open(repository, null);
    String olderManifest = console.get("/api/v1/images/" + older).getString("manifestId");
    long plan =
        ((Number)
                console
                    .as()
                    .body(
                        """
                        {"name":"keep one","machine":%d,"schedule":"0 2 * * *","timeZone":"UTC",
                         "verifyAfter":true,"compression":"balanced","keep":{"last":1,
                         "hourly":0,"daily":0,"weekly":0,"monthly":0,"yearly":0}}
                        """
                            .formatted(machine))
                    .post("/api/v1/plans")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    JsonPath backup =
        console.runJob(
            "/api/v1/plans/" + plan + "/run", "{}", Duration.ofSeconds(120), worker::log);
    long newer = backup.getLong("imageId");
    Manifest made =
        repo.findManifest(console.get("/api/v1/images/" + newer).getString("manifestId"));
    assertThat(made.compression()).as("the plan's compression").isEqualTo("balanced");
    for (String type : List.of("verify", "prune")) {
      long job =
          console
              .await(
                  "/api/v1/jobs?type=" + type + "&machine=" + machine,
                  j ->
                      j.getList("items", Map.class).stream()
                          .anyMatch(
                              i ->
                                  String.valueOf(i.get("cause")).startsWith("plan keep one")
                                      && "SUCCEEDED".equals(i.get("state"))),
                  Duration.ofSeconds(90))
              .getLong("items.find { it.cause.startsWith('plan keep one') }.id");
      assertThat(console.get("/api/v1/jobs/" + job + "/log").getList("message", String.class))
          .as(type + " job's log")
          .isNotEmpty();
    }
    assertThat(console.get("/api/v1/images/" + newer).getString("verifyStatus")).isEqualTo("sound");
    assertThat(repo.listManifests())
        .extracting(Repository.ManifestRef::id)
        .doesNotContain(olderManifest)
        .hasSize(1);
    assertThat(console.get("/api/v1/images?machine=" + machine).getList("items.id", Long.class))
        .containsExactly(newer);
  }

  /**
   * Leaves unused chunks in the repository (an image of another disk whose manifest was deleted),
   * then has the worker maintain it: the unused chunks go, every pack ends at the strong level and
   * smaller, and the image still verifies and restores.
   */
  private void maintainTheRepository(
      Console console, WorkerProcess worker, Path repository, long image, long machine)
      throws Exception {
    Repository repo = Repository.open(repository, null);
    Manifest orphan =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(
                new CreateImage.Options(
                    "orphan",
                    List.of(new CreateImage.DiskSpec(Fixtures.mbrDisk(), "mbr.img", null)),
                    Compression.FAST,
                    false,
                    2));
    repo.listManifests().stream()
        .filter(m -> m.id().equals(orphan.id()))
        .forEach(repo::deleteManifest);
    long before = repo.storedBytes();

    long id = console.get("/api/v1/repositories").getLong("find { it.name == 'default' }.id");
    JsonPath done =
        console.runJob(
            "/api/v1/repositories/" + id + "/maintenance",
            "{}",
            Duration.ofSeconds(120),
            worker::log);
    assertThat(done.getString("type")).isEqualTo("maintenance");
    assertThat(done.getLong("machineId")).isEqualTo(machine);

    long after = repo.storedBytes();
    assertThat(after).isLessThan(before);
    JsonPath status = console.get("/api/v1/repositories");
    String mine = "find { it.id == " + id + " }";
    assertThat(status.getLong(mine + ".storedBytes")).isEqualTo(after);
    assertThat(status.getLong(mine + ".lastMaintenance.summary.chunksDeleted")).isPositive();
    assertThat(status.getLong(mine + ".lastMaintenance.summary.packsRecompressed")).isPositive();
    assertThat(status.getLong(mine + ".lastMaintenance.summary.bytesAfter"))
        .isLessThan(status.getLong(mine + ".lastMaintenance.summary.bytesBefore"));
    List<Integer> levels = new ArrayList<>();
    repo.forEachPack(p -> levels.add(p.level()), d -> levels.add(-1));
    assertThat(levels).isNotEmpty().containsOnly(Compression.STRONG.zstdLevel());

    console.runJob(
        "/api/v1/jobs/verify", "{\"image\":" + image + "}", Duration.ofSeconds(60), worker::log);
    assertThat(console.get("/api/v1/images/" + image).getString("verifyStatus")).isEqualTo("sound");
    Path p2 = tmp.resolve("p2-after-maintenance.img");
    console.restore(image, machine, p2, 2, worker::log);
    assertThat(Tools.run("fsck.ext4", "-fn", p2.toString()).exit()).isZero();
    assertThat(Tools.run("debugfs", "-R", "cat /data/blob.bin", p2.toString()).stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("root/data/blob.bin")));
  }

  @Test
  void a_revoked_worker_is_refused_and_says_so_in_its_log() throws Exception {
    try (AppProcess app = AppProcess.start(tmp.resolve("data"), env(tmp))) {
      Console console = new Console(app.baseUrl(), PASSWORD);
      try (WorkerProcess worker =
          WorkerProcess.start(
              app.baseUrl(),
              console.newToken(),
              tmp.resolve("state"),
              "revoked-host",
              Fixtures.mbrDisk())) {
        console.await(
            "/api/v1/machines?q=revoked-host",
            j -> j.getList("items").size() == 1,
            Duration.ofSeconds(60));
        long workerId =
            console.get("/api/v1/workers").getLong("find { it.machine == 'revoked-host' }.id");
        console.as().post("/api/v1/workers/" + workerId + "/revoke").then().statusCode(204);
        assertThat(worker.waitForExit(30)).isEqualTo(3);
        assertThat(worker.log()).contains("rejected this worker's credential").contains("revoked");
      }
    }
  }
}
