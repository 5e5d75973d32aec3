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
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Btrfs as mkfs.btrfs makes it over old data: its allocated chunks are imaged, its unallocated
 * space is not, and the restore passes {@code btrfs check --readonly} with every file back through
 * {@code btrfs restore}.
 */
class BtrfsTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "mkfs.btrfs {0}")
  @ValueSource(strings = {"-m dup -d single", "-m single -d single", "--nodesize 4096"})
  void allocated_chunks_are_imaged_and_the_restore_checks_clean(String options) throws IOException {
    Random rnd = new Random(8);
    Path stage = Files.createDirectories(tmp.resolve("stage/sub"));
    Files.write(stage.resolve("big.bin"), Imaging.random(3 << 20, rnd));
    Files.writeString(stage.resolve("notes.txt"), "holdfast btrfs\n".repeat(4000));
    Path fs = overOldData(tmp.resolve("btrfs.img"), 512, rnd);
    List<String> mkfs = new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-K"));
    mkfs.addAll(List.of(options.split(" ")));
    mkfs.addAll(List.of("-r", tmp.resolve("stage").toString(), fs.toString()));
    Tools.check(mkfs.toArray(String[]::new));
    Tools.check("btrfs", "check", "--readonly", fs.toString());

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = Imaging.imaging(m);
    assertThat(how.filesystem()).isEqualTo("btrfs");
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan((512L << 20) / 3);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.check("btrfs", "check", "--readonly", restored.toString());
    Path out = Files.createDirectories(tmp.resolve("out"));
    Tools.check("btrfs", "restore", restored.toString(), out.toString());
    assertThat(Files.readAllBytes(out.resolve("sub/big.bin")))
        .isEqualTo(Files.readAllBytes(stage.resolve("big.bin")));
    assertThat(Files.readString(out.resolve("sub/notes.txt")))
        .isEqualTo(Files.readString(stage.resolve("notes.txt")));
    // the old data in unallocated space is not in the image
    assertThat(Imaging.nonZeroBytes(restored)).isLessThanOrEqualTo(m.usedBytes());
  }

  @Test
  void a_member_of_a_filesystem_striped_across_devices_is_imaged_whole() throws IOException {
    Random rnd = new Random(9);
    Path a = overOldData(tmp.resolve("a.img"), 256, rnd);
    Path b = overOldData(tmp.resolve("b.img"), 256, rnd);
    Tools.check("mkfs.btrfs", "-q", "-f", "-d", "raid0", "-m", "raid1", a.toString(), b.toString());
    Manifest m = Imaging.image(tmp.resolve("repo"), a);
    UsedBlocks.PartitionImaging how = Imaging.imaging(m);
    assertThat(how.method()).isEqualTo("all-sectors");
    assertThat(how.note()).contains("striped across devices");
  }

  private static Path overOldData(Path file, int mib, Random rnd) throws IOException {
    byte[] old = Imaging.random(1 << 20, rnd);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      for (int i = 0; i < mib; i++) {
        f.write(old);
      }
    }
    return file;
  }
}
