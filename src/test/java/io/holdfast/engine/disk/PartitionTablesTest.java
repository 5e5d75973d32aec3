package io.holdfast.engine.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionTablesTest {

  @TempDir Path tmp;

  @Test
  void a_gpt_disk_yields_its_partitions_with_names_types_and_guids() {
    try (DiskSource d = DiskSource.open(Fixtures.gptDisk())) {
      DiskLayout l = PartitionTables.read(d);
      assertThat(l.scheme()).isEqualTo("gpt");
      assertThat(l.diskId()).isEqualTo("11111111-2222-3333-4444-555555555555");
      assertThat(l.partitions()).extracting(Partition::name).containsExactly("EFI", "root", "DATA");
      assertThat(l.partitions())
          .extracting(Partition::typeName)
          .containsExactly("EFI System", "Linux filesystem", "Microsoft basic data");
      assertThat(l.partitions().get(1).guid()).isEqualTo("aaaaaaaa-0000-0000-0000-000000000002");
      assertThat(l.partitions().get(0).offset()).isEqualTo(2048 * 512L);
      assertThat(l.partitions().get(0).length()).isEqualTo(40L << 20);
      assertThat(l.warnings()).isEmpty();
    }
  }

  @Test
  void a_damaged_primary_gpt_header_falls_back_to_the_backup() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(512 + 40);
      f.write(0x5a); // inside the header: its CRC no longer matches
    }
    try (DiskSource d = DiskSource.open(disk)) {
      DiskLayout l = PartitionTables.read(d);
      assertThat(l.scheme()).isEqualTo("gpt");
      assertThat(l.partitions()).hasSize(3);
      assertThat(l.warnings()).anyMatch(w -> w.contains("backup GPT"));
    }
  }

  @Test
  void an_mbr_disk_yields_primary_and_logical_partitions() {
    try (DiskSource d = DiskSource.open(Fixtures.mbrDisk())) {
      DiskLayout l = PartitionTables.read(d);
      assertThat(l.scheme()).isEqualTo("mbr");
      assertThat(l.diskId()).isEqualTo("1234abcd");
      assertThat(l.partitions()).extracting(Partition::number).containsExactly(1, 5, 6);
      assertThat(l.partitions()).extracting(Partition::type).containsExactly("06", "83", "da");
      assertThat(l.partitions().get(1).offset()).isEqualTo(36864 * 512L);
      assertThat(l.partitions().get(2).length()).isEqualTo(16384 * 512L);
    }
  }

  @Test
  void a_disk_without_a_table_is_one_blob() throws IOException {
    Path blank = tmp.resolve("blank.img");
    try (RandomAccessFile f = new RandomAccessFile(blank.toFile(), "rw")) {
      f.setLength(1 << 20);
    }
    try (DiskSource d = DiskSource.open(blank)) {
      DiskLayout l = PartitionTables.read(d);
      assertThat(l.scheme()).isEqualTo("none");
      assertThat(l.partitions()).isEmpty();
    }
  }
}
