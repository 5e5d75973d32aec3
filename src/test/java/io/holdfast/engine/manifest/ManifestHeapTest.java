package io.holdfast.engine.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.cli.ImageCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's size in the heap follows its chunks at a few dozen bytes each, however it is read or
 * written: here a disk with 400,000 chunks of 256 KiB (about 100 GB, 80 % of it data) is written
 * and read twice in a JVM with a 64 MiB heap. With chunk lists of strings (184 bytes a chunk) and
 * the JSON whole in memory (about 100 bytes a chunk), that ran out of heap.
 */
class ManifestHeapTest {

  @TempDir Path tmp;

  /** What was printed and the exit code of {@code main} run in a JVM with heap {@code xmx}. */
  private record Run(String out, int exit) {}

  private Run java(String xmx, Class<?> main, String... args) throws Exception {
    Path log = tmp.resolve("run.log");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + xmx,
            "-cp",
            System.getProperty("java.class.path"),
            main.getName()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(main.getSimpleName() + " finished").isTrue();
    return new Run(Files.readString(log), p.exitValue());
  }

  @Test
  void a_large_manifest_is_written_and_read_twice_in_a_small_heap() throws Exception {
    String repo = tmp.resolve("repo").toString();
    Run probe = java("64m", ManifestHeapProbe.class, repo, "400000");
    assertThat(probe.exit()).as(probe.out()).isZero();
    assertThat(probe.out()).contains("chunks=400000").contains("held both");

    // with too small a heap for it, the command says so and what to do, and exits as on any error
    Run show = java("12m", ImageCli.class, "show", "--repo", repo, "--image", "latest");
    assertThat(show.exit()).as(show.out()).isEqualTo(2);
    assertThat(show.out())
        .contains("error: Out of memory: this job needs more heap than the")
        .contains("run the worker with a larger -Xmx")
        .doesNotContain("\tat ");
  }
}
