package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A swap partition keeps its header (UUID, label) and restores as an empty swap area. */
class SwapAreaTest {

  private static final long MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void only_the_header_of_a_swap_partition_is_imaged_and_it_restores_with_its_uuid()
      throws IOException {
    // a swap area full of old process pages, as on a machine that has been running
    Path swap = tmp.resolve("swap.part");
    byte[] pages = new byte[(int) (24 * MIB)];
    new Random(82).nextBytes(pages);
    Files.write(swap, pages);
    Tools.check(
        "mkswap", "-L", "hfswap", "-U", "5a5a5a5a-0000-1111-2222-333333333333", swap.toString());
    Path disk = tmp.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(32 * MIB);
    }
    Tools.check("sgdisk", "-n", "1:2048:+24M", "-t", "1:8200", disk.toString());
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(2048 * 512);
      f.write(Files.readAllBytes(swap));
    }

    Manifest m = Imaging.image(tmp.resolve("repo"), disk);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("swap");
    assertThat(how.method()).isEqualTo("used-blocks");
    assertThat(how.usedBytes()).isEqualTo(4096);
    assertThat(m.storedBytes()).as("not the 24 MiB of old pages").isLessThan(MIB);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, 1, tmp.resolve("p1.img"));
    Tools.Result blkid = Tools.run("blkid", "-p", restored.toString());
    assertThat(blkid.output())
        .contains("TYPE=\"swap\"")
        .contains("UUID=\"5a5a5a5a-0000-1111-2222-333333333333\"")
        .contains("LABEL=\"hfswap\"");
    byte[] back = Files.readAllBytes(restored);
    assertThat(java.util.Arrays.copyOf(back, 4096))
        .isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(swap), 4096));
    assertThat(java.util.Arrays.copyOfRange(back, 4096, back.length))
        .isEqualTo(new byte[back.length - 4096]);
  }

  @Test
  void a_swap_area_holding_a_hibernation_image_is_imaged_whole() throws IOException {
    Path swap = tmp.resolve("hibernated.img");
    byte[] pages = new byte[(int) (8 * MIB)];
    new Random(83).nextBytes(pages);
    Files.write(swap, pages);
    Tools.check("mkswap", swap.toString());
    try (RandomAccessFile f = new RandomAccessFile(swap.toFile(), "rw")) {
      f.seek(4096 - 10);
      f.write("S1SUSPEND\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // as swsusp does
    }
    Manifest m = Imaging.image(tmp.resolve("repo"), swap);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.method()).isEqualTo("all-sectors");
    assertThat(m.usedBytes()).isEqualTo(8 * MIB);
  }
}
