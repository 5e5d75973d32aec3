package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.cli.ImageCli;
import io.holdfast.engine.store.Repository;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A create killed with SIGKILL leaves no image, only orphan chunks that GC later removes. */
class CrashDuringCreateTest {

  @TempDir Path tmp;

  @Test
  void a_killed_create_commits_no_manifest_and_gc_removes_its_orphans() throws Exception {
    Path disk = tmp.resolve("big.img");
    try (OutputStream out = Files.newOutputStream(disk)) {
      Random r = new Random(42);
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 768; i++) {
        r.nextBytes(block);
        out.write(block);
      }
    }
    Path repoDir = tmp.resolve("repo");
    Repository repo = Repository.init(repoDir, 64 * 1024, null);

    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ImageCli.class.getName(),
                "create",
                "--repo",
                repoDir.toString(),
                "--machine",
                "victim",
                "--disk",
                disk.toString(),
                "--compression",
                "max")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("cli.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // the first finished pack (16 MiB, 256 chunks of random data) is well past 50 chunks
    while (IncrementalImageTest.chunkFiles(repo) < 50 && System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("create finished before it could be killed").isTrue();
      Thread.sleep(20);
    }
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(repo.listManifests()).isEmpty();
    long orphans = IncrementalImageTest.chunkFiles(repo);
    assertThat(orphans).isGreaterThanOrEqualTo(50);

    CollectGarbage.Report gc =
        new CollectGarbage(Repository.open(repoDir, null)).run(Duration.ZERO, false);
    assertThat(gc.chunksDeleted()).isEqualTo(orphans);
    assertThat(gc.packsDeleted()).isPositive();
    assertThat(IncrementalImageTest.chunkFiles(repo)).isZero();
    try (var s = Files.list(repoDir.resolve("tmp"))) {
      assertThat(s.toList()).isEmpty();
    }
    // and the repository still works
    new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(ImageRoundTripTest.options("victim", Fixtures.mbrDisk()));
    assertThat(repo.listManifests()).hasSize(1);
  }
}
