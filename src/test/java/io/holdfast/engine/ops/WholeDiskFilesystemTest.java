package io.holdfast.engine.ops;

import static io.holdfast.engine.ops.ImageRoundTripTest.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks formatted whole, without a partition table (cloud data disks, USB sticks): the filesystem
 * from byte 0 is imaged by its allocation map, as a partition's would be.
 */
class WholeDiskFilesystemTest {

  @TempDir Path tmp;

  @Test
  void ext4_on_a_whole_disk_is_imaged_by_its_bitmaps_and_keeps_the_bytes_past_its_end()
      throws IOException {
    Path source = Fixtures.plainDisk("ext4");
    Manifest m = image(source);
    UsedBlocks.PartitionImaging how = onlyImaging(m);
    assertThat(how.filesystem()).isEqualTo("ext4");
    assertThat(how.method()).isEqualTo("used-blocks");
    // 9.5 MiB of the filesystem's 20 MiB are in use, and the disk's last 4 MiB belong to no one
    assertThat(m.usedBytes()).isBetween(13L << 20, 15L << 20);

    Path restored = restoreWhole(m, source);
    Fixtures.assertSameWhereUsed(source, restored);
    assertClean("fsck.ext4", "-fn", restored);
    assertThat(Tools.run("debugfs", "-R", "cat /data/blob.bin", restored.toString()).stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("root/data/blob.bin")));
    // the deleted 4 MiB file is left out; the 4 MiB past the filesystem's end come back as they
    // were
    assertThat(differingBytes(source, restored)).isBetween(4L << 20, 5L << 20);
    assertThat(tail(restored, 4 << 20)).isEqualTo(tail(source, 4 << 20));
  }

  @Test
  void fat_on_a_whole_disk_is_imaged_by_its_fat_and_leaves_deleted_clusters_out()
      throws IOException {
    Path source = Fixtures.plainDisk("fat");
    Manifest m = image(source);
    UsedBlocks.PartitionImaging how = onlyImaging(m);
    assertThat(how.filesystem()).isEqualTo("fat16");
    assertThat(how.method()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan(1L << 20);

    Path restored = restoreWhole(m, source);
    Fixtures.assertSameWhereUsed(source, restored);
    assertClean("fsck.vfat", "-n", restored);
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/CONFIG.TXT").stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("efi/CONFIG.TXT")));
    assertThat(differingBytes(source, restored)).isGreaterThanOrEqualTo(2L << 20);
  }

  @Test
  void ntfs_whose_boot_code_fills_the_partition_table_bytes_is_not_taken_for_an_mbr()
      throws IOException {
    // Windows' NTFS boot code runs through bytes 446-509, where an MBR keeps its table
    Path source = Fixtures.copyOf(Fixtures.plainDisk("ntfs"), tmp);
    byte[] code = new byte[64];
    new Random(446).nextBytes(code);
    code[0] = 0x33; // not a boot indicator (0x00 or 0x80)
    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
      for (long bootSector : new long[] {0, f.length() - 512}) { // and its backup, as Windows does
        f.seek(bootSector + 446);
        f.write(code);
      }
    }
    Manifest m = image(source);
    assertThat(m.disks().get(0).layout().scheme()).isEqualTo("none");
    assertThat(m.disks().get(0).layout().warnings()).anyMatch(w -> w.contains("boot sector"));
    UsedBlocks.PartitionImaging how = onlyImaging(m);
    assertThat(how.filesystem()).isEqualTo("ntfs");
    assertThat(how.method()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan(Files.size(source) / 2);

    Path restored = restoreWhole(m, source);
    Fixtures.assertSameWhereUsed(source, restored);
    assertClean("ntfsfix", "-n", restored);
    assertThat(Tools.run("ntfscat", restored.toString(), "/report.bin").stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("ntfs/report.bin")));
  }

  @Test
  void a_whole_disk_of_no_known_filesystem_is_imaged_sector_by_sector_and_says_so()
      throws IOException {
    byte[] bytes = new byte[3 << 20];
    new Random(7).nextBytes(bytes);
    Path source = tmp.resolve("unknown.img");
    Files.write(source, bytes);
    Manifest m = image(source);
    UsedBlocks.PartitionImaging how = onlyImaging(m);
    assertThat(how.number()).isEqualTo(UsedBlocks.WHOLE_DISK);
    assertThat(how.where()).isEqualTo("the whole disk");
    assertThat(how.filesystem()).isEqualTo("unknown");
    assertThat(how.method()).isEqualTo("all-sectors");
    assertThat(how.note()).isEqualTo("no supported filesystem found");
    assertThat(m.usedBytes()).isEqualTo(bytes.length);
    assertThat(Files.readAllBytes(restoreWhole(m, source))).isEqualTo(bytes);
  }

  private Manifest image(Path source) {
    return Imaging.image(tmp.resolve("repo"), source);
  }

  private Path restoreWhole(Manifest m, Path source) throws IOException {
    Path restored =
        Imaging.restore(
            tmp.resolve("repo"), m, null, tmp.resolve("restored-" + source.getFileName()));
    assertThat(Files.size(restored)).isEqualTo(Files.size(source));
    return restored;
  }

  private static UsedBlocks.PartitionImaging onlyImaging(Manifest m) {
    List<UsedBlocks.PartitionImaging> imaging = m.disks().get(0).imaging();
    assertThat(imaging).hasSize(1);
    assertThat(imaging.get(0).number()).isEqualTo(UsedBlocks.WHOLE_DISK);
    return imaging.get(0);
  }

  private static long differingBytes(Path a, Path b) throws IOException {
    byte[] x = Files.readAllBytes(a);
    byte[] y = Files.readAllBytes(b);
    long differing = 0;
    for (int pos = 0; pos < x.length; pos += 4096) {
      if (!Arrays.equals(x, pos, pos + 4096, y, pos, pos + 4096)) {
        differing += 4096;
      }
    }
    return differing;
  }

  private static byte[] tail(Path p, int n) throws IOException {
    byte[] all = Files.readAllBytes(p);
    return Arrays.copyOfRange(all, all.length - n, all.length);
  }
}
