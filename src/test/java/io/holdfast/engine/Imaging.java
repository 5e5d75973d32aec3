package io.holdfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.ops.CreateImage;
import io.holdfast.engine.ops.RestoreImage;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** What the filesystem tests do to a disk: image it, restore it, look for bytes in it. */
public final class Imaging {

  private Imaging() {}

  /** Images {@code disk} whole into a new repository at {@code repo}. */
  public static Manifest image(Path repo, Path disk) {
    return new CreateImage(
            Repository.init(repo, 64 * 1024, null), Progress.NONE, Cancellation.none())
        .run(
            new CreateImage.Options(
                disk.getFileName().toString(),
                List.of(new CreateImage.DiskSpec(disk, "disk", null)),
                Compression.FAST,
                true,
                2));
  }

  /** Images these disks whole, each named by its file, as one image of machine "two-disks". */
  public static Manifest imageOfDisks(Repository repo, Compression level, Path... disks) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(
            new CreateImage.Options(
                "two-disks",
                Arrays.stream(disks).map(CreateImage.DiskSpec::whole).toList(),
                level,
                true,
                2));
  }

  /** Restores the image, or one partition of it, to {@code target}. */
  public static Path restore(Path repo, Manifest m, Integer partition, Path target) {
    new RestoreImage(Repository.open(repo, null), Progress.NONE, Cancellation.none())
        .run(new RestoreImage.Options(m.id(), null, partition, target, false));
    return target;
  }

  /** How the image's only disk's first (or only) partition was taken. */
  public static UsedBlocks.PartitionImaging imaging(Manifest m) {
    List<UsedBlocks.PartitionImaging> imaging = m.disks().get(0).imaging();
    assertThat(imaging).isNotEmpty();
    return imaging.get(0);
  }

  /** A sparse file of {@code mib} MiB. */
  public static Path blank(Path file, long mib) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(mib << 20);
    }
    return file;
  }

  public static byte[] random(int n, Random rnd) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /** How many bytes of the image lie in 4 KiB blocks that are not all zeros. */
  public static long nonZeroBytes(Path image) throws IOException {
    byte[] zero = new byte[4096];
    byte[] b = new byte[4096];
    long n = 0;
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      for (long pos = 0; pos + b.length <= f.length(); pos += b.length) {
        f.readFully(b);
        if (!Arrays.equals(b, zero)) {
          n += b.length;
        }
      }
    }
    return n;
  }

  /** Whether any {@code block.length}-aligned block of the image equals {@code block}. */
  public static boolean containsBlock(Path image, byte[] block) throws IOException {
    byte[] buf = new byte[block.length * 1024];
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "r")) {
      long size = f.length();
      for (long pos = 0; pos < size; pos += buf.length) {
        int n = (int) Math.min(buf.length, size - pos);
        f.seek(pos);
        f.readFully(buf, 0, n);
        for (int at = 0; at + block.length <= n; at += block.length) {
          if (Arrays.equals(buf, at, at + block.length, block, 0, block.length)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
