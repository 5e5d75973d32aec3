package io.holdfast.engine.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.cli.ImageCli;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void a_large_manifest_is_written_and_read_twice_in_a_small_heap() throws Exception {
    Path log = tmp.resolve("probe.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                ManifestHeapProbe.class.getName(),
                tmp.resolve("repo").toString(),
                "400000")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the probe finished").isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("chunks=400000").contains("held both");

    // with too small a heap for it, the command says so and what to do, and exits as on any error
    Process small =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx12m",
                "-cp",
                System.getProperty("java.class.path"),
                ImageCli.class.getName(),
                "show",
                "--repo",
                tmp.resolve("repo").toString(),
                "--image",
                "latest")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(small.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String said = Files.readString(log);
    assertThat(small.exitValue()).as(said).isEqualTo(2);
    assertThat(said)
        .contains("error: Out of memory: this job needs more heap than the")
        .contains("run the worker with a larger -Xmx")
        .doesNotContain("\tat ");
  }
}
