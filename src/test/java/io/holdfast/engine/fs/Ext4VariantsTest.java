package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ext2/3/4 layouts mke2fs makes: each is imaged by its bitmaps, restores to a filesystem that
 * {@code fsck.ext4 -fn} accepts with its files intact, and leaves a deleted file's data out.
 */
class Ext4VariantsTest {

  private static final int STALE = 2 << 20;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "ext2; 64; ext2; -t ext2",
        "ext3; 64; ext3; -t ext3",
        "ext4 with 1 KiB blocks; 64; ext4; -b 1024",
        "ext4 without 64bit; 64; ext4; -O ^64bit",
        // 64 groups, 16 to a descriptor block: four metagroups keep their own descriptors
        "meta_bg; 512; ext4; -b 1024 -O meta_bg,^resize_inode",
        "bigalloc, 16 KiB clusters; 128; ext4; -O bigalloc -C 16384",
        // the primary descriptors sit after the superblock at byte 1024, not after block 0
        "bigalloc with 1 KiB blocks and meta_bg; 256; ext4; -b 1024 -O bigalloc,meta_bg,^resize_inode -C 4096",
      })
  void is_imaged_by_its_bitmaps_and_restores_clean(
      String variant, int mib, String reported, String mkfsOptions) throws IOException {
    Path stage = stage();
    Path fs = tmp.resolve("fs.img");
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      f.setLength((long) mib << 20);
    }
    List<String> mkfs = new ArrayList<>(List.of("mkfs.ext4", "-q", "-F"));
    mkfs.addAll(List.of(mkfsOptions.split(" ")));
    mkfs.addAll(List.of("-d", stage.toString(), fs.toString()));
    Tools.Result made = Tools.run(mkfs.toArray(String[]::new));
    assertThat(made.exit()).as(made.output()).isZero();
    Tools.Result rm = Tools.run("debugfs", "-w", "-R", "rm /stale.bin", fs.toString());
    assertThat(rm.exit()).as(rm.output()).isZero();
    byte[] staleBlock = Arrays.copyOf(Files.readAllBytes(stage.resolve("stale.bin")), 1024);
    assertThat(Imaging.containsBlock(fs, staleBlock))
        .as("the deleted file's data is on the source")
        .isTrue();

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo(reported);
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan(((long) mib << 20) / 2);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.Result fsck = Tools.run("fsck.ext4", "-fn", restored.toString());
    assertThat(fsck.exit()).as(fsck.output()).isZero();
    for (String file : List.of("big.bin", "numbers.txt", "d/e/words.txt")) {
      assertThat(Tools.run("debugfs", "-R", "cat /" + file, restored.toString()).stdout())
          .as(file)
          .isEqualTo(Files.readAllBytes(stage.resolve(file)));
    }
    assertThat(Imaging.containsBlock(restored, staleBlock)).as("the deleted file's data").isFalse();
  }

  private Path stage() throws IOException {
    Path stage = tmp.resolve("stage");
    Files.createDirectories(stage.resolve("d/e"));
    Random rnd = new Random(4);
    byte[] big = new byte[3 << 20];
    rnd.nextBytes(big);
    Files.write(stage.resolve("big.bin"), big);
    StringBuilder numbers = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      numbers.append(i).append('\n');
    }
    Files.writeString(stage.resolve("numbers.txt"), numbers);
    Files.writeString(stage.resolve("d/e/words.txt"), "holdfast ext variants\n".repeat(500));
    byte[] stale = new byte[STALE];
    rnd.nextBytes(stale);
    Files.write(stage.resolve("stale.bin"), stale);
    return stage;
  }
}
