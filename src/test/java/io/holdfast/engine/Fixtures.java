package io.holdfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.fs.Extents;
import io.holdfast.engine.fs.UsedBlocks;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Real disk images made by {@code src/test/fixtures/make-disks.sh} with sgdisk, sfdisk, mkfs and
 * friends; built once and cached under {@code target/fixtures/<hash of the script>}.
 */
public final class Fixtures {

  private static final Path SCRIPT = Path.of("src/test/fixtures/make-disks.sh");
  private static Path dir;

  private Fixtures() {}

  public static synchronized Path dir() {
    if (dir != null) {
      return dir;
    }
    try {
      byte[] script = Files.readAllBytes(SCRIPT);
      String hash =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(script))
              .substring(0, 12);
      Path out = Path.of("target", "fixtures", hash).toAbsolutePath();
      if (!Files.exists(out.resolve("gpt.img"))) {
        Tools.Result r = Tools.run("bash", SCRIPT.toString(), out.toString());
        if (r.exit() != 0) {
          throw new IllegalStateException("fixture script failed:\n" + r.output());
        }
      }
      dir = out;
      return dir;
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path gptDisk() {
    return dir().resolve("gpt.img");
  }

  public static Path mbrDisk() {
    return dir().resolve("mbr.img");
  }

  /** {@code plain-ext4.img}, {@code plain-fat.img} or {@code plain-ntfs.img}: no table. */
  public static Path plainDisk(String filesystem) {
    return dir().resolve("plain-" + filesystem + ".img");
  }

  public static Path file(String relative) {
    return dir().resolve("files").resolve(relative);
  }

  /** A private copy of a fixture disk that a test may change. */
  public static Path copyOf(Path disk, Path into) throws IOException {
    Path copy = into.resolve(disk.getFileName());
    Tools.Result r = Tools.run("cp", "--sparse=always", disk.toString(), copy.toString());
    if (r.exit() != 0) {
      throw new IOException(r.output());
    }
    return copy;
  }

  /** Every byte the source's used map covers is identical on the restored disk. */
  public static void assertSameWhereUsed(Path source, Path restored) throws IOException {
    Extents used;
    try (DiskSource d = DiskSource.open(source)) {
      used = UsedBlocks.map(d, PartitionTables.read(d)).used();
    }
    try (RandomAccessFile a = new RandomAccessFile(source.toFile(), "r");
        RandomAccessFile b = new RandomAccessFile(restored.toFile(), "r")) {
      byte[] x = new byte[1 << 20];
      byte[] y = new byte[1 << 20];
      for (int i = 0; i < used.count(); i++) {
        for (long pos = used.start(i); pos < used.end(i); pos += x.length) {
          int n = (int) Math.min(x.length, used.end(i) - pos);
          a.seek(pos);
          a.readFully(x, 0, n);
          b.seek(pos);
          b.readFully(y, 0, n);
          assertThat(java.util.Arrays.mismatch(x, 0, n, y, 0, n))
              .as("mismatch near byte %d", pos)
              .isNegative();
        }
      }
    }
  }
}
