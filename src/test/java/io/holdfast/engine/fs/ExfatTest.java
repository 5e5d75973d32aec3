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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * exFAT volumes made by exfatprogs' mkfs.exfat over old data: imaged by their allocation bitmap,
 * restored to a volume that {@code fsck.exfat -n} accepts, with the old data and a deleted file's
 * clusters left out. Files are written and read back through exfat-fuse on a loop device, which
 * needs root; without it those steps are skipped and say why.
 */
class ExfatTest {

  private static final int MIB = 1 << 20;
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "default; 64; ",
        "128 KiB clusters; 256; -c 128K",
        "bitmap packed into the FAT segment; 64; --pack-bitmap",
        "4 KiB boundary alignment; 48; -b 4K",
      })
  void is_imaged_by_its_allocation_bitmap_and_restores_clean(
      String variant, int mib, String options) throws IOException {
    Random rnd = new Random(variant.hashCode());
    Path fs = overOldData(mib, rnd);
    byte[] oldBlock = block(fs, (long) (mib - 4) * MIB); // free heap space, never written anew
    List<String> mkfs = new ArrayList<>(List.of("mkfs.exfat", "-L", "HOLDFAST"));
    if (options != null) {
      mkfs.addAll(List.of(options.split(" ")));
    }
    mkfs.add(fs.toString());
    Tools.check(mkfs.toArray(String[]::new));
    assertThat(Imaging.containsBlock(fs, oldBlock)).as("the old data is on the source").isTrue();

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = Imaging.imaging(m);
    assertThat(how.filesystem()).isEqualTo("exfat");
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    // boot regions, FAT, bitmap, up-case table and root directory, aligned: a few MiB at most
    assertThat(m.usedBytes()).isLessThan(5L * MIB);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.Result fsck = Tools.run("fsck.exfat", "-n", restored.toString());
    assertThat(fsck.exit()).as(fsck.output()).isZero();
    assertThat(Tools.run("exfatlabel", restored.toString()).output()).contains("HOLDFAST");
    assertThat(Imaging.containsBlock(restored, oldBlock)).as("the old data").isFalse();
  }

  @Test
  void files_written_through_the_filesystem_come_back_and_a_deleted_one_does_not()
      throws IOException {
    Random rnd = new Random(85);
    Path fs = overOldData(96, rnd);
    Tools.check("mkfs.exfat", "-c", "32K", fs.toString());
    byte[] data = Imaging.random(3 * MIB + 12345, rnd);
    byte[] small = Imaging.random(40_000, rnd);
    byte[] stale = Imaging.random(2 * MIB, rnd);
    try (Mounted vol = Mounted.of(fs, tmp.resolve("mnt"), false)) {
      Files.write(Files.createDirectories(vol.dir.resolve("photos/2026")).resolve("a.raw"), data);
      Files.write(vol.dir.resolve("notes.txt"), small);
      Files.write(vol.dir.resolve("stale.bin"), stale);
      Files.delete(vol.dir.resolve("stale.bin"));
    }
    byte[] staleBlock = Arrays.copyOf(stale, 4096);
    assertThat(Imaging.containsBlock(fs, staleBlock)).as("the deleted file's data").isTrue();
    Tools.Result source = Tools.run("fsck.exfat", "-n", fs.toString());
    assertThat(source.exit()).as(source.output()).isZero();

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    assertThat(Imaging.imaging(m).method()).isEqualTo("used-blocks");
    assertThat(m.usedBytes())
        .as("the files and the metadata, not the deleted file or the old data")
        .isBetween((long) data.length + small.length, (long) data.length + small.length + 4 * MIB);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.Result fsck = Tools.run("fsck.exfat", "-n", restored.toString());
    assertThat(fsck.exit()).as(fsck.output()).isZero();
    assertThat(Imaging.containsBlock(restored, staleBlock)).as("the deleted file's data").isFalse();
    try (Mounted vol = Mounted.of(restored, tmp.resolve("mnt2"), true)) {
      assertThat(Files.readAllBytes(vol.dir.resolve("photos/2026/a.raw"))).isEqualTo(data);
      assertThat(Files.readAllBytes(vol.dir.resolve("notes.txt"))).isEqualTo(small);
      assertThat(vol.dir.resolve("stale.bin")).doesNotExist();
    }
  }

  @Test
  void damaged_metadata_is_imaged_whole_and_says_why() throws IOException {
    Path good = Imaging.blank(tmp.resolve("good.img"), 32);
    Tools.check("mkfs.exfat", good.toString());
    String[][] damages = {
      // a flipped bit in the boot sector's FAT offset: the boot checksum no longer matches
      {"80", "checksum"},
      // the allocation bitmap's entry in the root directory (cluster 5 of 4 KiB, after the
      // volume label) turned into an unused entry: no bitmap left
      {"bitmap-entry", "allocation bitmap"},
      // the bitmap's first byte cleared: it no longer marks its own cluster used
      {"bitmap-bits", "leaves its own cluster"},
    };
    for (String[] damage : damages) {
      Path bad = Files.copy(good, tmp.resolve("bad-" + damage[0] + ".img"));
      try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
        long heap = 4096L * 512;
        long at =
            switch (damage[0]) {
              case "bitmap-entry" -> heap + 3 * 4096L + 32;
              case "bitmap-bits" -> heap;
              default -> Long.parseLong(damage[0]);
            };
        f.seek(at);
        int old = f.read();
        f.seek(at);
        f.write(damage[0].equals("bitmap-entry") ? 0x01 : damage[0].equals("80") ? old ^ 4 : 0);
      }
      UsedBlocks.PartitionImaging how =
          Imaging.imaging(Imaging.image(tmp.resolve("repo-" + damage[0]), bad));
      assertThat(how.method()).as(damage[0]).isEqualTo("all-sectors");
      assertThat(how.filesystem()).isEqualTo("exfat");
      assertThat(how.note()).as(damage[0]).contains(damage[1]);
    }
  }

  /** A file of {@code mib} MiB of random bytes: what a card held before it was formatted. */
  private Path overOldData(int mib, Random rnd) throws IOException {
    Path fs = tmp.resolve("exfat.img");
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      byte[] old = new byte[MIB];
      for (int i = 0; i < mib; i++) {
        rnd.nextBytes(old);
        f.write(old);
      }
    }
    return fs;
  }

  private static byte[] block(Path file, long at) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] b = new byte[4096];
      f.seek(at);
      f.readFully(b);
      return b;
    }
  }

  /** An exFAT image mounted through exfat-fuse on a loop device (exfat-fuse wants a device). */
  private static final class Mounted implements AutoCloseable {
    final Path dir;
    private final String device;

    private Mounted(Path dir, String device) {
      this.dir = dir;
      this.device = device;
    }

    static Mounted of(Path image, Path dir, boolean readOnly) throws IOException {
      Tools.Result attach = Tools.run("losetup", "-f", "--show", image.toString());
      Assumptions.assumeTrue(
          attach.exit() == 0 && Files.exists(Path.of("/dev/fuse")),
          "needs a loop device and FUSE: " + attach.output());
      String device = new String(attach.stdout()).trim();
      Files.createDirectories(dir);
      List<String> cmd = new ArrayList<>(List.of("mount.exfat-fuse"));
      if (readOnly) {
        cmd.addAll(List.of("-o", "ro"));
      }
      cmd.addAll(List.of(device, dir.toString()));
      Tools.Result mount = Tools.run(cmd.toArray(String[]::new));
      if (mount.exit() != 0) {
        Tools.run("losetup", "-d", device);
        Assumptions.abort("exfat-fuse cannot mount here: " + mount.output());
      }
      return new Mounted(dir, device);
    }

    @Override
    public void close() {
      Tools.run("umount", dir.toString());
      Tools.run("losetup", "-d", device);
    }
  }
}
