package io.holdfast.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Tools;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's container image (deploy/worker.Dockerfile), built by deploy/build-worker-image.sh
 * and run with podman: it enrols, reports its disk, backs up, verifies and restores, and keeps its
 * credential in the /state volume. `.ci/run` installs podman; on a machine without it this test is
 * skipped.
 */
class WorkerContainerIT {

  /**
   * What this machine kind's sandbox needs: runc (crun refuses cgroups v1 in hybrid mode), cgroupfs
   * (no systemd), and rlimits no higher than the host's (raising them is not permitted). None of
   * them changes what runs inside the container.
   */
  static final List<String> PODMAN =
      List.of("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs");

  static final List<String> LIMITS =
      List.of("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096");

  @TempDir Path tmp;

  @Test
  void the_worker_image_enrols_backs_up_verifies_and_restores() throws Exception {
    assumeTrue(
        Tools.run("sh", "-c", "command -v podman").exit() == 0,
        "podman is not installed here (.ci/run installs it)");
    String image = buildImage();

    Path disks = Files.createDirectories(tmp.resolve("disks"));
    Path disk =
        Files.copy(
            Fixtures.gptDisk(), disks.resolve("gpt.img"), StandardCopyOption.REPLACE_EXISTING);
    Path state = Files.createDirectories(tmp.resolve("state"));
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path repository = Files.createDirectories(tmp.resolve("repository"));
    String name = "holdfast-it-" + UUID.randomUUID().toString().substring(0, 8);

    try (AppProcess app = AppProcess.start(tmp.resolve("data"), WorkerEndToEndIT.env(tmp))) {
      Console console = new Console(app.baseUrl(), WorkerEndToEndIT.PASSWORD);
      List<String> run = new ArrayList<>(PODMAN);
      run.addAll(List.of("run", "-d", "--name", name, "--network", "host"));
      run.addAll(LIMITS);
      // the repository at the path the console has for it; the disk read-only
      for (String v :
          List.of(
              state + ":/state",
              repository + ":" + repository,
              disks + ":" + disks + ":ro",
              out + ":" + out)) {
        run.addAll(List.of("-v", v));
      }
      run.addAll(
          List.of(
              image,
              "--console",
              app.baseUrl(),
              "--enrol-token",
              console.newToken(),
              "--hostname",
              "container-host",
              "--no-devices",
              "--poll-wait",
              "5",
              "--disk",
              disk.toString()));
      Tools.Result started = Tools.run(run.toArray(String[]::new));
      assertThat(started.exit()).as(started.output()).isZero();
      try {
        long machine = console.awaitMachine("container-host");
        assertThat(console.get("/api/v1/machines/" + machine).getString("disks[0].name"))
            .isEqualTo("gpt.img");
        assertThat(state.resolve("credential.properties"))
            .as("the credential lives in the /state volume, not in the container")
            .exists();

        console.runJob(
            "/api/v1/jobs/backup",
            "{\"machine\":" + machine + "}",
            Duration.ofSeconds(120),
            () -> logs(name));
        long imageId = console.get("/api/v1/images?machine=" + machine).getLong("items[0].id");
        console.runJob(
            "/api/v1/jobs/verify",
            "{\"image\":" + imageId + "}",
            Duration.ofSeconds(60),
            () -> logs(name));
        Path restored = out.resolve("restored.img");
        console.restore(imageId, machine, restored, null, () -> logs(name));
        assertThat(Tools.run("sgdisk", "-v", restored.toString()).output())
            .contains("No problems found");
        Fixtures.assertSameWhereUsed(disk, restored);
      } finally {
        Tools.run(concat(PODMAN, "rm", "-f", name));
      }
    }
  }

  /** Builds the image with the project's script; the Debian base is cached under target/. */
  private static String buildImage() throws IOException, InterruptedException {
    Path log = Files.createTempFile("holdfast-image", ".log");
    Process p =
        new ProcessBuilder("deploy/build-worker-image.sh", "it")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = p.waitFor(15, TimeUnit.MINUTES);
    String said = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished && p.exitValue() == 0).as("build-worker-image.sh said:%n%s", said).isTrue();
    String[] lines = said.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static String logs(String container) {
    return "container log:\n" + Tools.run(concat(PODMAN, "logs", container)).output();
  }

  private static String[] concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }
}
