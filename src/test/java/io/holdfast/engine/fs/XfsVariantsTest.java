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
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * XFS as mkfs.xfs makes it (v5 with CRCs, v4 without, other block, sector and group sizes): each is
 * imaged by its free-space trees, restores to a filesystem {@code xfs_repair -n} accepts, with
 * every block of its files where {@code xfs_db} says they are, and leaves the old bytes in its free
 * space out.
 */
class XfsVariantsTest {

  private static final Pattern EXTENT =
      Pattern.compile("data offset (\\d+) startblock \\d+ \\((\\d+)/(\\d+)\\) count (\\d+)");

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "v5 (CRCs); 320; -m crc=1",
        "v4 (no CRCs); 320; -m crc=0",
        "1 KiB blocks; 320; -b size=1024",
        "8 allocation groups; 640; -d agcount=8",
        "4 KiB sectors; 320; -s size=4096",
      })
  void is_imaged_by_its_free_space_trees_and_restores_clean(String variant, int mib, String options)
      throws IOException {
    Random rnd = new Random(5);
    Path big = Files.write(tmp.resolve("big.bin"), Imaging.random(3 << 20, rnd));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      text.append(i).append('\n');
    }
    Path numbers = Files.writeString(tmp.resolve("numbers.txt"), text);
    Path proto =
        Files.writeString(
            tmp.resolve("proto"),
            String.join(
                "\n",
                "/dev/null",
                "0 0",
                "d--755 0 0",
                "big.bin ---644 0 0 " + big,
                "sub d--755 0 0",
                "numbers.txt ---644 0 0 " + numbers,
                "$",
                "$",
                ""));
    // the disk held other data before: mkfs.xfs -K leaves it in what becomes free space
    Path fs = tmp.resolve("xfs.img");
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      byte[] old = Imaging.random(1 << 20, rnd);
      for (int i = 0; i < mib; i++) {
        f.write(old);
      }
    }
    List<String> mkfs = new ArrayList<>(List.of("mkfs.xfs", "-q", "-f", "-K"));
    mkfs.addAll(List.of(options.split(" ")));
    mkfs.addAll(List.of("-p", proto.toString(), fs.toString()));
    Tools.check(mkfs.toArray(String[]::new));
    Tools.check("xfs_repair", "-n", fs.toString());

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("xfs");
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan(((long) mib << 20) / 2);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.check("xfs_repair", "-n", restored.toString());
    assertThat(fileBytes(restored, "/big.bin", Files.size(big))).isEqualTo(Files.readAllBytes(big));
    assertThat(fileBytes(restored, "/sub/numbers.txt", Files.size(numbers)))
        .isEqualTo(Files.readAllBytes(numbers));
    // the source is old data wherever the filesystem is free; the restore is zeros there
    assertThat(Imaging.nonZeroBytes(restored)).isLessThanOrEqualTo(m.usedBytes());
  }

  /** A file's first {@code length} bytes, read from the blocks xfs_db maps it to. */
  private static byte[] fileBytes(Path image, String path, long length) {
    Tools.Result geometry =
        Tools.run("xfs_db", "-r", "-c", "sb 0", "-c", "p blocksize agblocks", image.toString());
    Matcher g =
        Pattern.compile("blocksize = (\\d+)\\s+agblocks = (\\d+)").matcher(geometry.output());
    assertThat(g.find()).as(geometry.output()).isTrue();
    long blockSize = Long.parseLong(g.group(1));
    long agBlocks = Long.parseLong(g.group(2));
    Tools.Result bmap =
        Tools.run("xfs_db", "-r", "-c", "path " + path, "-c", "bmap", image.toString());
    byte[] out = new byte[(int) length];
    Matcher e = EXTENT.matcher(bmap.output());
    int extents = 0;
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      while (e.find()) {
        long fileOffset = Long.parseLong(e.group(1)) * blockSize;
        long block = Long.parseLong(e.group(2)) * agBlocks + Long.parseLong(e.group(3));
        long bytes = Math.min(Long.parseLong(e.group(4)) * blockSize, length - fileOffset);
        f.seek(block * blockSize);
        f.readFully(out, (int) fileOffset, (int) bytes);
        extents++;
      }
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
    assertThat(extents).as(bmap.output()).isPositive();
    return out;
  }
}
