package io.holdfast.engine.disk;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A disk to read: a raw image file or a block device. Reads are positional, so several threads can
 * read one source at once.
 */
public final class DiskSource implements ByteSource, AutoCloseable {

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final int sectorSize;

  private DiskSource(Path path, FileChannel channel, long size, int sectorSize) {
    this.path = path;
    this.channel = channel;
    this.size = size;
    this.sectorSize = sectorSize;
  }

  public static DiskSource open(Path path) {
    if (!Files.exists(path)) {
      throw new EngineException("No disk at " + path + ".");
    }
    try {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      boolean device = BlockDevices.isBlockDevice(path);
      long size = device ? BlockDevices.size(path) : ch.size();
      return new DiskSource(path, ch, size, device ? BlockDevices.logicalSectorSize(path) : 512);
    } catch (IOException e) {
      throw new EngineException("Cannot open " + path + " for reading: " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public long size() {
    return size;
  }

  /** The logical sector size: a block device's own, 512 for an image file. */
  public int sectorSize() {
    return sectorSize;
  }

  /**
   * Fills {@code into} from {@code offset}; past the end of the disk the buffer is left as is.
   * Returns the number of bytes read.
   */
  public int read(long offset, ByteBuffer into) {
    int total = 0;
    try {
      while (into.hasRemaining() && offset + total < size) {
        int n = channel.read(into, offset + total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    } catch (IOException e) {
      throw new EngineException(
          "Reading " + path + " at byte " + (offset + total) + " failed: " + e.getMessage(), e);
    }
  }

  /** Reads exactly {@code length} bytes (zero-filled past the end of the disk). */
  @Override
  public byte[] readBytes(long offset, int length) {
    byte[] b = new byte[length];
    read(offset, ByteBuffer.wrap(b));
    return b;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was written; nothing to lose
    }
  }
}
