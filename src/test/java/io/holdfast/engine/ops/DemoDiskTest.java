package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.disk.DemoDisk;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk a fresh install backs up first: real FAT16 filesystems that tools nobody here wrote
 * accept, with free space holding a deleted file's data, so that its first backup images only what
 * is used.
 */
class DemoDiskTest {

  @TempDir Path tmp;

  @Test
  void holds_two_fat16_filesystems_that_fsck_and_mtools_accept() throws IOException {
    Path disk = tmp.resolve("demo.img");
    DemoDisk.ensure(disk);
    assertThat(Files.size(disk)).isEqualTo(DemoDisk.SIZE);
    assertThat(Tools.run("sgdisk", "-v", disk.toString()).output()).contains("No problems found");

    Path efi = partition(disk, 1);
    Path data = partition(disk, 2);
    assertClean(efi);
    assertClean(data);
    assertThat(Tools.run("mdir", "-/", "-b", "-i", efi.toString(), "::").output())
        .contains("::/EFI/BOOT/BOOTX64.EFI", "::/VMLINUZ", "::/INITRD.IMG", "::/GRUB.CFG");
    assertThat(Tools.run("mdir", "-/", "-b", "-i", data.toString(), "::").output())
        .contains("::/DOCS/NOTES.TXT", "::/DOCS/REPORT.CSV", "::/PHOTOS.ZIP", "::/APP.BIN")
        .doesNotContain("OLD.TAR");
    byte[] notes = Tools.run("mtype", "-i", data.toString(), "::/DOCS/NOTES.TXT").stdout();
    assertThat(notes).hasSize(3_000_000);
    assertThat(new String(notes, 0, 40, StandardCharsets.US_ASCII)).startsWith("NOTES.TXT");

    try (DiskSource src = DiskSource.open(disk)) {
      DiskLayout layout = PartitionTables.read(src);
      UsedBlocks.DiskMap map = UsedBlocks.map(src, layout);
      assertThat(map.partitions())
          .extracting(UsedBlocks.PartitionImaging::filesystem, UsedBlocks.PartitionImaging::method)
          .containsExactly(tuple("fat16", "used-blocks"), tuple("fat16", "used-blocks"));
      // 28 MiB of files and metadata in 56 MiB of partitions: the deleted file's 6 MB and the
      // free space are left out
      long inPartitions =
          map.partitions().stream().mapToLong(UsedBlocks.PartitionImaging::usedBytes).sum();
      assertThat(inPartitions).isBetween(27L << 20, 29L << 20);
    }
  }

  @Test
  void the_changeable_place_is_inside_a_file_and_a_change_there_is_backed_up() throws IOException {
    Path disk = tmp.resolve("demo.img");
    DemoDisk.ensure(disk);
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest full =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("demo", disk));
    Path before = partition(disk, 2);
    byte[] photosBefore = Tools.run("mtype", "-i", before.toString(), "::/PHOTOS.ZIP").stdout();

    byte[] noise = new byte[DemoDisk.CHANGEABLE];
    new Random(7).nextBytes(noise);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(DemoDisk.changeableOffset());
      f.write(noise);
    }
    Path after = partition(disk, 2);
    assertClean(after);
    byte[] photosAfter = Tools.run("mtype", "-i", after.toString(), "::/PHOTOS.ZIP").stdout();
    assertThat(photosAfter).hasSize(photosBefore.length).isNotEqualTo(photosBefore);
    assertThat(Arrays.copyOfRange(photosAfter, 1 << 20, (1 << 20) + noise.length)).isEqualTo(noise);

    Manifest incr =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("demo", disk));
    assertThat(incr.parent()).isEqualTo(full.id());
    assertThat(incr.storedBytes()).isPositive().isLessThan(full.storedBytes() / 4);

    // the restore holds the changed file, and zeros where the deleted file's data was
    Path restored = tmp.resolve("restored.img");
    ImageRoundTripTest.restore(repo, incr.id(), 2, restored);
    assertClean(restored);
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/PHOTOS.ZIP").stdout())
        .isEqualTo(photosAfter);
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/DOCS/REPORT.CSV").stdout())
        .isEqualTo(Tools.run("mtype", "-i", after.toString(), "::/DOCS/REPORT.CSV").stdout());
    byte[] got = Files.readAllBytes(restored);
    byte[] source = Files.readAllBytes(after);
    int differing = 0;
    for (int i = 0; i < got.length; i++) {
      if (got[i] != source[i]) {
        assertThat(got[i]).as("restored byte %d, where the source differs", i).isZero();
        differing++;
      }
    }
    // the deleted OLD.TAR: 6 MB of random bytes, few of them zero
    assertThat(differing).isBetween(5_900_000, 6_000_000);
  }

  private Path partition(Path disk, int number) throws IOException {
    Partition p;
    try (DiskSource src = DiskSource.open(disk)) {
      p =
          PartitionTables.read(src).partitions().stream()
              .filter(x -> x.number() == number)
              .findFirst()
              .orElseThrow();
    }
    byte[] bytes = new byte[(int) p.length()];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      f.seek(p.offset());
      f.readFully(bytes);
    }
    Path out = Files.createTempFile(tmp, "p" + number + "-", ".img");
    Files.write(out, bytes);
    return out;
  }

  private static void assertClean(Path image) {
    Tools.Result r = Tools.run("fsck.vfat", "-n", image.toString());
    assertThat(r.exit()).as("fsck.vfat -n %s said:%n%s", image, r.output()).isZero();
  }
}
