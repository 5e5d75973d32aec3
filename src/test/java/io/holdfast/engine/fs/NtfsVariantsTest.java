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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * NTFS volumes of every sector and cluster size mkntfs makes: each is imaged by its $Bitmap,
 * restores to a volume that {@code ntfsfix -n} accepts and {@code ntfscmp} finds identical to the
 * source, and leaves a truncated file's old clusters out.
 */
class NtfsVariantsTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "512-byte sectors, 4 KiB clusters; 64; -s 512",
        "512-byte clusters; 64; -s 512 -c 512",
        "64 KiB clusters; 256; -s 512 -c 65536",
        // 4Kn drives: MFT records keep their update sequence every 512 bytes, not every sector
        "4 KiB sectors; 64; -s 4096",
        "4 KiB sectors, 64 KiB clusters; 256; -s 4096 -c 65536",
      })
  void is_imaged_by_its_bitmap_and_restores_identical(String variant, int mib, String options)
      throws IOException {
    Path fs = tmp.resolve("ntfs.img");
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      f.setLength((long) mib << 20);
    }
    List<String> mkntfs = new ArrayList<>(List.of("mkntfs", "-q", "-F", "-f", "-L", "VARIANT"));
    mkntfs.addAll(List.of(options.split(" ")));
    mkntfs.add(fs.toString());
    Tools.check(mkntfs.toArray(String[]::new));
    Random rnd = new Random(3);
    Path data = write("data.bin", 900 << 10, rnd);
    Path stale = write("stale.bin", 800 << 10, rnd);
    Tools.check("ntfscp", "-f", fs.toString(), data.toString(), "/data.bin");
    Tools.check("ntfscp", "-f", fs.toString(), stale.toString(), "/stale.bin");
    Matcher inode =
        Pattern.compile("Dumping Inode (\\d+)")
            .matcher(Tools.run("ntfsinfo", "-F", "/stale.bin", fs.toString()).output());
    assertThat(inode.find()).isTrue();
    Tools.check(
        "ntfstruncate", fs.toString(), inode.group(1), "0"); // frees its clusters, not their bytes
    byte[] staleBlock = Arrays.copyOf(Files.readAllBytes(stale), 512);
    assertThat(Imaging.containsBlock(fs, staleBlock)).as("the old data is on the source").isTrue();

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("ntfs");
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    assertThat(m.usedBytes()).isLessThan(((long) mib << 20) / 2);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.check("ntfsfix", "-n", restored.toString());
    Tools.Result cmp = Tools.run("ntfscmp", fs.toString(), restored.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    assertThat(cmp.output()).doesNotContain("DIFFER").doesNotContain("only in");
    assertThat(Tools.run("ntfscat", restored.toString(), "/data.bin").stdout())
        .isEqualTo(Files.readAllBytes(data));
    assertThat(Imaging.containsBlock(restored, staleBlock))
        .as("the truncated file's old data")
        .isFalse();
  }

  @org.junit.jupiter.api.Test
  void windows_paging_and_hibernation_files_in_the_root_are_left_out() throws IOException {
    Path fs = tmp.resolve("windows.img");
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      f.setLength(128L << 20);
    }
    Tools.check("mkntfs", "-q", "-F", "-f", "-L", "WINDOWS", fs.toString());
    Random rnd = new Random(9);
    Path data = write("data.bin", 900 << 10, rnd);
    Tools.check("ntfscp", "-f", fs.toString(), data.toString(), "/data.bin");
    // enough names that the root directory's index grows out of its MFT record into INDX blocks
    Path small = write("small.txt", 100, rnd);
    for (int i = 0; i < 80; i++) {
      Tools.check(
          "ntfscp", "-f", fs.toString(), small.toString(), String.format("/file-%02d.txt", i));
    }
    Tools.check(
        "ntfscp", "-f", fs.toString(), write("p", 8 << 20, rnd).toString(), "/pagefile.sys");
    Tools.check(
        "ntfscp", "-f", fs.toString(), write("h", 4 << 20, rnd).toString(), "/hiberfil.sys");
    assertThat(Tools.run("ntfsinfo", "-i", "5", fs.toString()).output())
        .contains("$INDEX_ALLOCATION");

    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.method()).isEqualTo("used-blocks");
    assertThat(how.note())
        .startsWith("hiberfil.sys, pagefile.sys left out (12582912 bytes)")
        .contains("Windows makes them anew");
    assertThat(m.storedBytes()).as("the 12 MiB of random pages are not stored").isLessThan(4 << 20);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.check("ntfsfix", "-n", restored.toString());
    assertThat(Tools.run("ntfscat", restored.toString(), "/data.bin").stdout())
        .isEqualTo(Files.readAllBytes(data));
    assertThat(Tools.run("ntfscat", restored.toString(), "/file-42.txt").stdout())
        .isEqualTo(Files.readAllBytes(small));
    assertThat(Tools.run("ntfscat", restored.toString(), "/pagefile.sys").stdout())
        .isEqualTo(new byte[8 << 20]);
    // ntfscmp finds nothing else changed: only the two files' contents
    Tools.Result cmp = Tools.run("ntfscmp", fs.toString(), restored.toString());
    List<String> differ =
        cmp.output().lines().filter(l -> l.contains("DIFFER") || l.contains("only in")).toList();
    assertThat(differ).hasSize(2).allMatch(l -> l.contains("attribute 0x80 content"));
  }

  private Path write(String name, int bytes, Random rnd) throws IOException {
    return Files.write(tmp.resolve(name), Imaging.random(bytes, rnd));
  }
}
