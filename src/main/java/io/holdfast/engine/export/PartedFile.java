package io.holdfast.engine.export;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A file written at any offset, held either whole or split into parts of a fixed size for removable
 * media (FAT32 takes no file over 4 GiB): {@code disk.vhdx.001}, {@code disk.vhdx.002}, … which
 * {@code cat} joins again. Each part is written under a temporary name and renamed when all is
 * written, so a file of that name is always complete. Unwritten ranges stay holes.
 */
public final class PartedFile implements AutoCloseable {

  /** The smallest part: 1 MiB. */
  public static final long MIN_PART_BYTES = 1L << 20;

  private static final String TEMPORARY = ".holdfast-partial";

  private final List<Path> names = new ArrayList<>();
  private final List<Path> temporary = new ArrayList<>();
  private final List<FileChannel> channels = new ArrayList<>();
  private final long partSize;
  private boolean finished;

  /**
   * Creates {@code target} ({@code partSize} 0) or its parts, {@code length} bytes in all. Refuses
   * when any of them exists already: an export never overwrites.
   */
  public PartedFile(Path target, long length, long partSize) {
    if (partSize < 0 || (partSize > 0 && partSize < MIN_PART_BYTES)) {
      throw new EngineException("Parts must be at least 1M; " + partSize + " bytes is too small.");
    }
    this.partSize = partSize == 0 ? Math.max(length, 1) : partSize;
    long parts = Math.max(1, (length + this.partSize - 1) / this.partSize);
    if (parts > 999) {
      throw new EngineException(
          "Splitting "
              + length
              + " bytes into parts of "
              + partSize
              + " makes "
              + parts
              + " parts; at most 999 are numbered. Choose larger parts.");
    }
    for (int p = 0; p < parts; p++) {
      Path name = partName(target, partSize, p);
      refuseIfTaken(name);
      names.add(name);
      temporary.add(name.resolveSibling(name.getFileName() + TEMPORARY));
    }
    try {
      Path folder = target.toAbsolutePath().getParent();
      if (folder != null) {
        Files.createDirectories(folder);
      }
      for (int p = 0; p < parts; p++) {
        FileChannel c =
            FileChannel.open(
                temporary.get(p),
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        channels.add(c);
        long partLength = Math.min(this.partSize, length - p * this.partSize);
        if (partLength > 0) {
          // the whole length now, as holes: a reader checks that every block fits in the file
          c.write(ByteBuffer.allocate(1), partLength - 1);
        }
      }
    } catch (IOException e) {
      close();
      throw new EngineException("Cannot create " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file of part {@code p} (from 0) of {@code target}: the target itself when it is not split
   * ({@code partSize} 0), else the target with ".001", ".002", … appended.
   */
  public static Path partName(Path target, long partSize, int p) {
    return partSize == 0
        ? target
        : target.resolveSibling(target.getFileName() + String.format(Locale.ROOT, ".%03d", p + 1));
  }

  /** Refuses {@code name} when a file of that name exists: an export never overwrites. */
  public static void refuseIfTaken(Path name) {
    if (Files.exists(name)) {
      throw new EngineException(
          name + " exists already; an export never overwrites. Remove it or choose another name.");
    }
  }

  /** Writes all of {@code b} at {@code at}, across parts where it spans them. */
  public void write(ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      int part = (int) (pos / partSize);
      long inPart = pos % partSize;
      int n = (int) Math.min(b.remaining(), partSize - inPart);
      ByteBuffer slice = b.slice(b.position(), n);
      while (slice.hasRemaining()) {
        channels.get(part).write(slice, inPart + slice.position());
      }
      b.position(b.position() + n);
      pos += n;
    }
  }

  /** Flushes every part to the disk and gives each its final name. */
  public List<Path> finish() throws IOException {
    for (FileChannel c : channels) {
      c.force(true);
      c.close();
    }
    for (int p = 0; p < names.size(); p++) {
      try {
        Files.move(temporary.get(p), names.get(p), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary.get(p), names.get(p));
      }
    }
    finished = true;
    return List.copyOf(names);
  }

  /** Without {@link #finish}: removes what was written, so no half export is left behind. */
  @Override
  public void close() {
    for (FileChannel c : channels) {
      try {
        c.close();
      } catch (IOException e) {
        // closing is all that is left to do
      }
    }
    if (!finished) {
      for (Path t : temporary) {
        try {
          Files.deleteIfExists(t);
        } catch (IOException e) {
          // a leftover partial file has a name that says so
        }
      }
    }
  }
}
