package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.chunk.ChunkCodec;
import io.holdfast.engine.chunk.ChunkCorruptException;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.manifest.ManifestCodec;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of everything that parses untrusted bytes: partition tables, filesystem
 * metadata, chunk blobs and manifests. Nothing may escape but the engine's own exceptions, nothing
 * may hang, and a partition whose metadata is wrong must still be imaged whole rather than partly.
 */
class ParserFuzzTest {

  private static final long SEED = 20261121L;
  @TempDir Path tmp;

  @Test
  void mutated_partition_tables_and_filesystems_never_crash_the_engine() throws IOException {
    for (Path fixture :
        List.of(
            Fixtures.gptDisk(),
            Fixtures.mbrDisk(),
            Fixtures.plainDisk("ext4"),
            Fixtures.plainDisk("fat"),
            Fixtures.plainDisk("ntfs"),
            // ext4 with bigalloc clusters and meta_bg descriptors
            made(
                "bigalloc-meta_bg.img",
                64,
                "mkfs.ext4",
                "-q",
                "-F",
                "-b",
                "1024",
                "-O",
                "bigalloc,meta_bg,^resize_inode",
                "-C",
                "4096"),
            // XFS v5: superblock, AGFs and free-space tree blocks lie in the hot zones
            made("xfs.img", 320, "mkfs.xfs", "-q", "-f"),
            // btrfs: its superblock and system chunk array lie in the hot zones
            made("btrfs.img", 256, "mkfs.btrfs", "-q", "-f"),
            // exFAT with 512-byte clusters and no alignment: boot region, FAT, bitmap and root
            // directory all lie in the first 64 KiB
            made("exfat.img", 16, "mkfs.exfat", "-c", "512", "-b", "4K"))) {
      Path disk = Fixtures.copyOf(fixture, tmp);
      List<long[]> zones = hotZones(disk);
      Random rnd = new Random(SEED ^ fixture.getFileName().hashCode());
      try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
        for (int round = 0; round < 400; round++) {
          long[] zone = zones.get(rnd.nextInt(zones.size()));
          int flips = 1 + rnd.nextInt(8);
          long[] at = new long[flips];
          int[] old = new int[flips];
          for (int i = 0; i < flips; i++) {
            at[i] = zone[0] + (long) (rnd.nextDouble() * zone[1]);
            f.seek(at[i]);
            old[i] = f.read();
            f.seek(at[i]);
            f.write(rnd.nextBoolean() ? rnd.nextInt(256) : old[i] ^ (1 << rnd.nextInt(8)));
          }
          assertTimeoutPreemptively(Duration.ofSeconds(10), () -> parse(disk));
          for (int i = flips - 1; i >= 0; i--) {
            f.seek(at[i]);
            f.write(old[i]);
          }
        }
      }
    }
  }

  /**
   * A filesystem the fixtures lack, made on a blank file of {@code mib} MiB by {@code mkfs} (the
   * file's path is added last).
   */
  private Path made(String name, long mib, String... mkfs) throws IOException {
    Path fs = Imaging.blank(Files.createDirectories(tmp.resolve("made")).resolve(name), mib);
    String[] cmd = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
    cmd[mkfs.length] = fs.toString();
    Tools.check(cmd);
    return fs;
  }

  private static void parse(Path disk) {
    try (DiskSource d = DiskSource.open(disk)) {
      DiskLayout layout = PartitionTables.read(d);
      UsedBlocks.DiskMap map = UsedBlocks.map(d, layout);
      assertThat(map.used().bytes()).isBetween(0L, d.size());
      for (UsedBlocks.PartitionImaging p : map.partitions()) {
        if (p.method().equals("all-sectors")) {
          assertThat(p.note()).isNotBlank();
        }
      }
    }
  }

  /**
   * Where the metadata lives: tables at both ends, and the first 64 KiB of each partition (of the
   * disk, when it has none).
   */
  private static List<long[]> hotZones(Path disk) throws IOException {
    List<long[]> zones = new ArrayList<>();
    long size = Files.size(disk);
    zones.add(new long[] {0, 34 * 512});
    zones.add(new long[] {size - 33 * 512, 33 * 512});
    try (DiskSource d = DiskSource.open(disk)) {
      List<Partition> parts = PartitionTables.read(d).partitions();
      if (parts.isEmpty()) { // a filesystem on the whole disk
        parts = List.of(new Partition(0, 0, size, null, null, null, null));
      }
      for (Partition p : parts) {
        zones.add(new long[] {p.offset(), Math.min(p.length(), 64 * 1024)});
        // ext4 group descriptors and bitmaps, NTFS MFT start: a little deeper
        zones.add(new long[] {p.offset() + 64 * 1024, Math.min(p.length() - 64 * 1024, 4 << 20)});
      }
    }
    return zones;
  }

  @Test
  void mutated_chunk_blobs_are_refused_with_the_engines_own_exception() {
    Random rnd = new Random(SEED);
    byte[] plain = new byte[64 * 1024];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) (i % 251 < 120 ? 0 : rnd.nextInt(256));
    }
    String digest = Digests.sha256(plain, 0, plain.length);
    ChunkCodec codec = new ChunkCodec(null);
    byte[] blob = codec.encode(digest, plain, plain.length, Compression.BALANCED);
    assertThat(codec.decode(digest, blob)).isEqualTo(plain);
    for (int round = 0; round < 3000; round++) {
      byte[] bad = blob.clone();
      if (rnd.nextInt(10) == 0) {
        bad = java.util.Arrays.copyOf(bad, rnd.nextInt(bad.length));
      } else {
        for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
          bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
      }
      byte[] mutated = bad;
      try {
        byte[] out = codec.decode(digest, mutated);
        // only a mutation that changed nothing may decode
        assertThat(out).isEqualTo(plain);
      } catch (ChunkCorruptException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
  }

  @Test
  void mutated_manifests_are_refused_with_a_clear_message() {
    Random rnd = new Random(SEED);
    String json =
        "{\"chunkSize\":65536,\"compression\":\"default\",\"created\":\"2026-01-01T00:00:00Z\","
            + "\"digest\":null,\"disks\":[],\"engineVersion\":\"0.1.0\",\"format\":1,\"id\":\"x\","
            + "\"logicalBytes\":0,\"machine\":\"m\",\"parent\":null,\"storedBytes\":0,\"usedBytes\":0}";
    for (int round = 0; round < 2000; round++) {
      byte[] b = json.getBytes();
      for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextBoolean()) {
        b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      byte[] input = b;
      try {
        ManifestCodec.decode(input, "fuzz");
      } catch (EngineException expected) {
        assertThat(expected.getMessage()).contains("fuzz");
      }
    }
  }
}
