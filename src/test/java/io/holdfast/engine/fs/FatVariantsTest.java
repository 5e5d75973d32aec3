package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FAT volumes mkfs.fat makes: each is imaged by its FAT, restores to a volume that {@code
 * fsck.fat -n} accepts with its files intact, and leaves a deleted file's clusters out.
 */
class FatVariantsTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "FAT12; 4; fat12; -F 12",
        "FAT16; 64; fat16; -F 16",
        "FAT16 on 2 KiB sectors; 64; fat16; -F 16 -S 2048",
        "FAT16 with 32 KiB clusters; 256; fat16; -F 16 -s 64",
        "FAT32; 128; fat32; -F 32",
        "FAT32 with one FAT and 64 reserved sectors; 128; fat32; -F 32 -f 1 -R 64",
      })
  void is_imaged_by_its_fat_and_restores_clean(
      String variant, int mib, String reported, String mkfsOptions) throws IOException {
    Path fs = blank(mib);
    List<String> mkfs = new ArrayList<>(List.of("mkfs.fat"));
    mkfs.addAll(List.of(mkfsOptions.split(" ")));
    mkfs.add(fs.toString());
    Tools.check(mkfs.toArray(String[]::new));
    Random rnd = new Random(12);
    Path data = write("data.bin", 700 << 10, rnd);
    Path stale = write("stale.bin", 600 << 10, rnd);
    Tools.check("mcopy", "-i", fs.toString(), data.toString(), "::/DATA.BIN");
    Tools.check("mcopy", "-i", fs.toString(), stale.toString(), "::/STALE.BIN");
    Tools.check("mdel", "-i", fs.toString(), "::/STALE.BIN");
    byte[] staleBlock = Arrays.copyOf(Files.readAllBytes(stale), 512);
    assertThat(Imaging.containsBlock(fs, staleBlock))
        .as("the deleted file's data is on the source")
        .isTrue();

    Manifest m = image(fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo(reported);
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");

    Path restored = restore(m);
    Tools.Result fsck = Tools.run("fsck.fat", "-n", restored.toString());
    assertThat(fsck.exit()).as(fsck.output()).isZero();
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/DATA.BIN").stdout())
        .isEqualTo(Files.readAllBytes(data));
    assertThat(Imaging.containsBlock(restored, staleBlock)).as("the deleted file's data").isFalse();
  }

  /**
   * mkfs.fat -F 32 makes FAT32 volumes with fewer than 65,525 clusters, which the cluster-count
   * rule would call FAT16; read with 16-bit entries, their FAT marks the wrong clusters used.
   * mtools cannot write to them, so the file is put in place here: a directory entry in the root
   * directory, its cluster chain in both FATs, and the free count in FSInfo.
   */
  @Test
  void a_fat32_volume_with_few_clusters_is_read_as_fat32() throws IOException {
    Path fs = blank(64);
    Tools.check("mkfs.fat", "-F", "32", "-s", "8", "-n", "SMALL32", fs.toString());
    int clusterBytes = 4096;
    long fatAt = 32 * 512L;
    long fatBytes = 128 * 512L;
    long dataAt = fatAt + 2 * fatBytes;
    int first = 16_000;
    int count = 100;
    Random rnd = new Random(32);
    byte[] content = new byte[count * clusterBytes];
    rnd.nextBytes(content);
    byte[] stale = new byte[count * clusterBytes];
    rnd.nextBytes(stale);
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      ByteBuffer chain = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int c = first; c < first + count; c++) {
        chain.putInt(c == first + count - 1 ? 0x0FFFFFFF : c + 1);
      }
      for (long fat : new long[] {fatAt, fatAt + fatBytes}) {
        f.seek(fat + first * 4L);
        f.write(chain.array());
      }
      f.seek(dataAt + (first - 2L) * clusterBytes);
      f.write(content);
      f.seek(dataAt + (8_000 - 2L) * clusterBytes); // free clusters holding old data
      f.write(stale);
      ByteBuffer entry = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      entry.put("DATA    BIN".getBytes(StandardCharsets.US_ASCII)).put((byte) 0x20);
      entry.position(20).putShort((short) (first >>> 16));
      entry.position(26).putShort((short) (first & 0xFFFF)).putInt(content.length);
      long root = dataAt; // cluster 2; mkfs.fat put only the volume label before this slot
      f.seek(root + 32);
      f.write(entry.array());
      f.seek(512 + 488); // FSInfo: free cluster count
      byte[] free = new byte[4];
      f.readFully(free);
      int freeCount = ByteBuffer.wrap(free).order(ByteOrder.LITTLE_ENDIAN).getInt() - count;
      f.seek(512 + 488);
      f.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(freeCount).array());
    }
    Tools.Result source = Tools.run("fsck.fat", "-n", "-v", fs.toString());
    assertThat(source.exit()).as(source.output()).isZero();
    // the volume label and the file; the root directory and the file's 100 clusters
    assertThat(source.output()).contains("2 files, 101/16348 clusters").contains("32 bit entries");

    Manifest m = image(fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("fat32");
    assertThat(how.method()).isEqualTo("used-blocks");
    Path restored = restore(m);
    Tools.Result fsck = Tools.run("fsck.fat", "-n", restored.toString());
    assertThat(fsck.exit()).as(fsck.output()).isZero();
    try (RandomAccessFile r = new RandomAccessFile(restored.toFile(), "r")) {
      byte[] back = new byte[content.length];
      r.seek(dataAt + (first - 2L) * clusterBytes);
      r.readFully(back);
      assertThat(back).as("the file's clusters").isEqualTo(content);
      r.seek(dataAt + (8_000 - 2L) * clusterBytes);
      r.readFully(back);
      assertThat(back).as("free clusters come back as zeros").isEqualTo(new byte[back.length]);
    }
  }

  private Path blank(int mib) throws IOException {
    return Imaging.blank(tmp.resolve("fat.img"), mib);
  }

  private Path write(String name, int bytes, Random rnd) throws IOException {
    return Files.write(tmp.resolve(name), Imaging.random(bytes, rnd));
  }

  private Manifest image(Path fs) {
    return Imaging.image(tmp.resolve("repo"), fs);
  }

  private Path restore(Manifest m) {
    return Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
  }
}
