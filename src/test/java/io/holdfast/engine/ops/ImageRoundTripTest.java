package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.fs.Extents;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Create, verify and restore real disks, checked by fsck, sgdisk, debugfs, mtools, ntfs-3g. */
class ImageRoundTripTest {

  @TempDir Path tmp;

  @Test
  void a_gpt_disk_with_fat32_ext4_and_ntfs_restores_to_a_disk_every_tool_accepts()
      throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    AtomicLong lastDone = new AtomicLong();
    Manifest m =
        new CreateImage(repo, (phase, done, total) -> lastDone.set(done), Cancellation.none())
            .run(options("fixture-gpt", Fixtures.gptDisk()));
    assertThat(lastDone.get()).isEqualTo(Files.size(Fixtures.gptDisk()));
    assertThat(m.usedBytes()).isLessThan(m.logicalBytes() / 3);
    assertThat(m.storedBytes()).isLessThan(m.usedBytes());

    VerifyImages.Report verify =
        new VerifyImages(repo, Progress.NONE, Cancellation.none()).run(List.of());
    assertThat(verify.ok()).isTrue();
    assertThat(verify.chunksChecked()).isPositive();

    Path restored = tmp.resolve("restored.img");
    RestoreImage.Report r = restore(repo, m.id(), null, restored);
    assertThat(r.bytesTotal()).isEqualTo(Files.size(Fixtures.gptDisk()));
    assertThat(Files.size(restored)).isEqualTo(Files.size(Fixtures.gptDisk()));

    assertThat(Tools.run("sgdisk", "-v", restored.toString()).output())
        .contains("No problems found");
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), restored);

    Path fat = tmp.resolve("p1.img");
    Path ext = tmp.resolve("p2.img");
    Path ntfs = tmp.resolve("p3.img");
    restore(repo, m.id(), 1, fat);
    restore(repo, m.id(), 2, ext);
    restore(repo, m.id(), 3, ntfs);
    assertClean("fsck.vfat", "-n", fat);
    assertClean("fsck.ext4", "-fn", ext);
    assertClean("ntfsfix", "-n", ntfs);

    assertThat(Tools.run("debugfs", "-R", "cat /data/blob.bin", ext.toString()).stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("root/data/blob.bin")));
    assertThat(Tools.run("debugfs", "-R", "cat /data/numbers.txt", ext.toString()).stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("root/data/numbers.txt")));
    assertThat(Tools.run("mtype", "-i", fat.toString(), "::/EFI/BOOT/LOADER.EFI").stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("efi/LOADER.EFI")));
    assertThat(Tools.run("ntfscat", ntfs.toString(), "/report.bin").stdout())
        .isEqualTo(Files.readAllBytes(Fixtures.file("ntfs/report.bin")));
  }

  @Test
  void stale_data_of_deleted_files_is_not_imaged_and_restores_as_zeros() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(options("stale", Fixtures.gptDisk()));
    Path restored = tmp.resolve("restored.img");
    restore(repo, m.id(), null, restored);
    Extents used;
    try (DiskSource d = DiskSource.open(Fixtures.gptDisk())) {
      used = UsedBlocks.map(d, PartitionTables.read(d)).used();
    }
    // the fixture deleted a 4 MiB file from ext4: its blocks still hold data on the source
    long differing = 0;
    long nonZeroOutsideUsed = 0;
    try (RandomAccessFile a = new RandomAccessFile(Fixtures.gptDisk().toFile(), "r");
        RandomAccessFile b = new RandomAccessFile(restored.toFile(), "r")) {
      byte[] x = new byte[4096];
      byte[] y = new byte[4096];
      for (long pos = 0; pos < a.length(); pos += 4096) {
        a.seek(pos);
        a.readFully(x);
        b.seek(pos);
        b.readFully(y);
        if (!java.util.Arrays.equals(x, y)) {
          differing += 4096;
          assertThat(used.overlaps(pos, pos + 4096))
              .as("differs inside used data at %d", pos)
              .isFalse();
        }
        if (!used.overlaps(pos, pos + 4096) && !java.util.Arrays.equals(y, new byte[4096])) {
          nonZeroOutsideUsed++;
        }
      }
    }
    assertThat(differing).isGreaterThanOrEqualTo(4L << 20);
    assertThat(nonZeroOutsideUsed).isZero();
  }

  @Test
  void an_mbr_disk_with_logical_partitions_round_trips() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 128 * 1024, null);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(options("fixture-mbr", Fixtures.mbrDisk()));
    Path restored = tmp.resolve("mbr.img");
    restore(repo, m.id(), null, restored);
    Fixtures.assertSameWhereUsed(Fixtures.mbrDisk(), restored);
    Path logical = tmp.resolve("p5.img");
    restore(repo, m.id(), 5, logical);
    assertClean("fsck.ext4", "-fn", logical);
    Path fat16 = tmp.resolve("p1.img");
    restore(repo, m.id(), 1, fat16);
    assertClean("fsck.vfat", "-n", fat16);
    // the partition no filesystem claims comes back byte for byte
    Path raw = tmp.resolve("p6.img");
    restore(repo, m.id(), 6, raw);
    try (RandomAccessFile src = new RandomAccessFile(Fixtures.mbrDisk().toFile(), "r")) {
      byte[] expected = new byte[8 << 20];
      src.seek(79872L * 512);
      src.readFully(expected);
      assertThat(Files.readAllBytes(raw)).isEqualTo(expected);
    }
  }

  @Test
  void imaging_chosen_partitions_stores_only_those() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(
                new CreateImage.Options(
                    "only-ext4",
                    List.of(new CreateImage.DiskSpec(Fixtures.gptDisk(), "disk0", List.of(2))),
                    Compression.BALANCED,
                    false,
                    2));
    assertThat(m.disks().get(0).partitions()).containsExactly(2);
    Path ext = tmp.resolve("p2.img");
    restore(repo, m.id(), 2, ext);
    assertClean("fsck.ext4", "-fn", ext);
    assertThat(m.usedBytes()).isLessThan(33L << 20);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> restore(repo, m.id(), 1, tmp.resolve("p1.img")))
        .hasMessageContaining("was not part of image");
  }

  @Test
  void a_disk_of_odd_size_with_a_partition_at_sector_63_restores_byte_for_byte()
      throws IOException {
    oddDiskRoundTrip();
  }

  @Test
  void without_direct_io_everything_goes_through_the_page_cache_and_round_trips()
      throws IOException {
    System.setProperty("holdfast.engine.direct-io", "false");
    try {
      oddDiskRoundTrip();
    } finally {
      System.clearProperty("holdfast.engine.direct-io");
    }
  }

  private void oddDiskRoundTrip() throws IOException {
    // Restores write 4 KiB-aligned pieces past the page cache and the rest through it: this disk's
    // last chunk is 1536 bytes and its partition starts at byte 32256, so both ways are taken.
    long size = (24L << 20) + 3 * 512;
    byte[] bytes = new byte[(int) size];
    new java.util.Random(63).nextBytes(bytes);
    java.nio.ByteBuffer mbr = java.nio.ByteBuffer.wrap(bytes, 0, 512).slice();
    mbr.order(java.nio.ByteOrder.LITTLE_ENDIAN);
    java.util.Arrays.fill(bytes, 0x1BE, 0x1FE, (byte) 0);
    bytes[0x1BE + 4] = (byte) 0xda; // non-filesystem data: imaged sector by sector
    mbr.putInt(0x1BE + 8, 63);
    mbr.putInt(0x1BE + 12, 40000);
    bytes[510] = 0x55;
    bytes[511] = (byte) 0xAA;
    Path disk = tmp.resolve("odd.img");
    Files.write(disk, bytes);

    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none()).run(options("odd-disk", disk));
    assertThat(m.disks().get(0).layout().partitions().get(0).offset()).isEqualTo(63 * 512);

    Path whole = tmp.resolve("whole.img");
    restore(repo, m.id(), null, whole);
    assertThat(Files.readAllBytes(whole)).isEqualTo(bytes);

    Path part = tmp.resolve("p1.img");
    restore(repo, m.id(), 1, part);
    assertThat(Files.readAllBytes(part))
        .isEqualTo(java.util.Arrays.copyOfRange(bytes, 63 * 512, (63 + 40000) * 512));

    // an existing target of the same size, full of other bytes, is overwritten exactly
    Path existing = tmp.resolve("existing.img");
    byte[] other = new byte[(int) size];
    new java.util.Random(64).nextBytes(other);
    Files.write(existing, other);
    restore(repo, m.id(), null, existing);
    assertThat(Files.readAllBytes(existing)).isEqualTo(bytes);
    VerifyImages.Report verified =
        new VerifyImages(repo, Progress.NONE, Cancellation.none()).run(List.of(m.id()));
    assertThat(verified.ok()).as("%s", verified).isTrue();
    assertThat(verified.chunksChecked()).isEqualTo(m.disks().get(0).chunks().size());
  }

  static CreateImage.Options options(String machine, Path disk) {
    return new CreateImage.Options(
        machine, List.of(CreateImage.DiskSpec.whole(disk)), Compression.BALANCED, true, 2);
  }

  static RestoreImage.Report restore(Repository repo, String id, Integer partition, Path target) {
    return new RestoreImage(repo, Progress.NONE, Cancellation.none())
        .run(new RestoreImage.Options(id, null, partition, target, false));
  }

  static void assertClean(String tool, String flag, Path image) {
    Tools.Result r = Tools.run(tool, flag, image.toString());
    assertThat(r.exit()).as("%s %s %s said:%n%s", tool, flag, image, r.output()).isZero();
  }
}
