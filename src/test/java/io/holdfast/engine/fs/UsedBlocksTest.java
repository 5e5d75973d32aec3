package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
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
