package io.holdfast.engine.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks of 4 KiB logical sectors (4Kn drives, some USB bridges), whose tables count in 4 KiB
 * sectors: made and checked with sgdisk and sfdisk on a loop device of 4 KiB sectors.
 */
class LargeSectorTest {

  private static final long MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void a_4kn_gpt_image_file_is_read_with_4_kib_sectors_and_restores_to_a_valid_table()
      throws IOException {
    Path disk = blank("gpt4k.img", 64);
    long first;
    String dev = attach(disk);
    try {
      Tools.check("sgdisk", "-n", "1:256:+24M", "-t", "1:8300", "-c", "1:data", dev);
      first =
          Long.parseLong(
              Tools.run("sgdisk", "-i", "1", dev)
                  .output()
                  .replaceAll("(?s).*First sector: (\\d+).*", "$1"));
    } finally {
      Tools.run("losetup", "-d", dev);
    }
    assertThat(first).isEqualTo(256);
    Path fs = blank("ext4.fs", 24);
    Tools.check("mkfs.ext4", "-q", "-F", "-b", "4096", fs.toString());
    place(fs, disk, first * 4096);

    Manifest m = image(disk);
    DiskLayout layout = m.disks().get(0).layout();
    assertThat(layout.scheme()).isEqualTo("gpt");
    assertThat(layout.sectorSize()).isEqualTo(4096);
    assertThat(layout.partitions().get(0).offset()).isEqualTo(256 * 4096L);
    assertThat(layout.partitions().get(0).name()).isEqualTo("data");
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("ext4");
    assertThat(how.method()).isEqualTo("used-blocks");

    Path restored = restore(m, null, "restored.img");
    String back = attach(restored);
    try {
      assertThat(Tools.run("sgdisk", "-v", back).output()).contains("No problems found");
    } finally {
      Tools.run("losetup", "-d", back);
    }
    Tools.check("fsck.ext4", "-fn", restore(m, 1, "p1.img").toString());
  }

  @Test
  void an_mbr_on_a_4_kib_sector_device_counts_its_partitions_in_4_kib_sectors() throws IOException {
    Path disk = blank("mbr4k.img", 64);
    Path fs = blank("fat.fs", 32);
    Tools.check("mkfs.fat", "-S", "4096", "-n", "FOURK", fs.toString()); // FAT12 at this size
    Tools.check("mcopy", "-i", fs.toString(), "/etc/hostname", "::/HOSTNAME");
    place(fs, disk, 256 * 4096L);
    String dev = attach(disk);
    Manifest m;
    try {
      Tools.Result r =
          Tools.run(
              "sh",
              "-c",
              "printf 'label: dos\\nstart=256, size=8192, type=6\\n' | sfdisk -q " + dev);
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(BlockDevices.logicalSectorSize(Path.of(dev))).isEqualTo(4096);
      m = image(Path.of(dev)); // the device itself: it says its sector size
    } finally {
      Tools.run("losetup", "-d", dev);
    }
    DiskLayout layout = m.disks().get(0).layout();
    assertThat(layout.scheme()).isEqualTo("mbr");
    assertThat(layout.sectorSize()).isEqualTo(4096);
    assertThat(layout.partitions().get(0).offset()).isEqualTo(256 * 4096L);
    assertThat(layout.partitions().get(0).length()).isEqualTo(32 * MIB);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("fat12");
    assertThat(how.method()).isEqualTo("used-blocks");
    Path p1 = restore(m, 1, "p1.img");
    Tools.check("fsck.fat", "-n", p1.toString());
    assertThat(Tools.run("mtype", "-i", p1.toString(), "::/HOSTNAME").stdout())
        .isEqualTo(Files.readAllBytes(Path.of("/etc/hostname")));
  }

  private Manifest image(Path disk) {
    return Imaging.image(tmp.resolve("repo"), disk);
  }

  private Path restore(Manifest m, Integer partition, String name) {
    return Imaging.restore(tmp.resolve("repo"), m, partition, tmp.resolve(name));
  }

  /** A loop device of 4 KiB logical sectors over the file. */
  private static String attach(Path file) {
    Tools.Result r = Tools.run("losetup", "-f", "--show", "--sector-size", "4096", file.toString());
    Assumptions.assumeTrue(r.exit() == 0, "needs loop devices: " + r.output());
    return new String(r.stdout()).trim();
  }

  private Path blank(String name, int mib) throws IOException {
    return Imaging.blank(tmp.resolve(name), mib);
  }

  private static void place(Path part, Path disk, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(at);
      f.write(Files.readAllBytes(part));
    }
  }
}
