package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.ops.CreateImage;
import io.holdfast.engine.ops.RestoreImage;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsedBlocksTest {

  @TempDir Path tmp;

  @Test
  void ext4_fat_and_ntfs_are_imaged_by_their_allocation_maps() {
    try (DiskSource d = DiskSource.open(Fixtures.gptDisk())) {
      DiskLayout layout = PartitionTables.read(d);
      UsedBlocks.DiskMap map = UsedBlocks.map(d, layout);
      List<UsedBlocks.PartitionImaging> p = map.partitions();
      assertThat(p)
          .extracting(UsedBlocks.PartitionImaging::filesystem)
          .containsExactly("fat32", "ext4", "ntfs");
      assertThat(p).extracting(UsedBlocks.PartitionImaging::method).containsOnly("used-blocks");
      // every partition holds a few MiB of files in tens of MiB
      for (int i = 0; i < 3; i++) {
        assertThat(p.get(i).usedBytes())
            .isLessThan(layout.partitions().get(i).length() / 2)
            .isGreaterThan(1 << 20);
      }
      assertThat(map.used().bytes()).isLessThan(d.size() / 3);
    }
  }

  @Test
  void the_mbr_disk_images_fat16_and_ext4_by_map_and_the_unknown_partition_whole() {
    try (DiskSource d = DiskSource.open(Fixtures.mbrDisk())) {
      UsedBlocks.DiskMap map = UsedBlocks.map(d, PartitionTables.read(d));
      assertThat(map.partitions())
          .extracting(UsedBlocks.PartitionImaging::filesystem)
          .containsExactly("fat16", "ext4", "unknown");
      assertThat(map.partitions().get(2).method()).isEqualTo("all-sectors");
      assertThat(map.partitions().get(2).usedBytes()).isEqualTo(8L << 20);
    }
  }

  @Test
  void large_unpartitioned_areas_of_a_gpt_disk_are_left_out_but_its_tables_are_kept()
      throws IOException {
    long mib = 1 << 20;
    Path disk = tmp.resolve("gaps.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(100 * mib);
    }
    Tools.Result r =
        Tools.run(
            "sgdisk",
            "-n",
            "1:2048:+8M",
            "-n",
            "2:81920:+8M",
            "-n",
            "3:100352:+2M",
            disk.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    // stale bytes where no partition is: 9-40 MiB (a 31 MiB gap), 49-50 MiB, 52-99 MiB
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      byte[] junk = new byte[(int) mib];
      java.util.Arrays.fill(junk, (byte) 0x5a);
      for (long at : new long[] {20 * mib, 49 * mib, 60 * mib}) {
        f.seek(at);
        f.write(junk);
      }
    }
    try (DiskSource d = DiskSource.open(disk)) {
      Extents used = UsedBlocks.map(d, PartitionTables.read(d)).used();
      assertThat(used.overlaps(0, mib)).as("protective MBR, primary GPT").isTrue();
      assertThat(used.overlaps(9 * mib + 1, 40 * mib)).as("a 31 MiB gap").isFalse();
      assertThat(used.overlaps(49 * mib, 50 * mib)).as("a 1 MiB gap is kept").isTrue();
      assertThat(used.overlaps(52 * mib, 99 * mib)).as("space after the last partition").isFalse();
      assertThat(used.overlaps(100 * mib - 512, 100 * mib)).as("backup GPT").isTrue();
    }

    // and the restored disk has both partition tables, and zeros where the stale bytes were
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(
                new CreateImage.Options(
                    "gaps",
                    List.of(CreateImage.DiskSpec.whole(disk)),
                    Compression.STANDARD,
                    false,
                    2));
    Path restored = tmp.resolve("restored.img");
    new RestoreImage(repo, Progress.NONE, Cancellation.none())
        .run(new RestoreImage.Options(m.id(), null, null, restored, false));
    assertThat(Tools.run("sgdisk", "-v", restored.toString()).output())
        .contains("No problems found");
    try (DiskSource d = DiskSource.open(restored)) {
      for (long at : new long[] {20 * mib, 60 * mib}) {
        assertThat(d.readBytes(at, (int) mib)).containsOnly(0);
      }
      assertThat(d.readBytes(49 * mib, (int) mib)).containsOnly(0x5a);
    }
  }

  @Test
  void a_disk_without_a_partition_table_is_imaged_whole() throws IOException {
    Path disk = tmp.resolve("raw.img");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(40L << 20);
    }
    try (DiskSource d = DiskSource.open(disk)) {
      assertThat(UsedBlocks.map(d, PartitionTables.read(d)).used().bytes()).isEqualTo(40L << 20);
    }
  }

  @Test
  void a_corrupt_ext4_superblock_falls_back_to_all_sectors_and_says_why() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    long ext4 = offsetOfPartition(disk, 1);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(ext4 + 1024 + 24); // s_log_block_size
      f.write(new byte[] {40, 0, 0, 0});
    }
    try (DiskSource d = DiskSource.open(disk)) {
      UsedBlocks.PartitionImaging p =
          UsedBlocks.map(d, PartitionTables.read(d)).partitions().get(1);
      assertThat(p.method()).isEqualTo("all-sectors");
      assertThat(p.note()).contains("ext4").contains("block size");
      assertThat(p.usedBytes()).isEqualTo(32L << 20);
    }
  }

  private static long offsetOfPartition(Path disk, int index) {
    try (DiskSource d = DiskSource.open(disk)) {
      return PartitionTables.read(d).partitions().get(index).offset();
    }
  }
}
