package io.holdfast.engine.ops;

import io.holdfast.engine.disk.BlockDevices;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.store.DirectIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads the disk being imaged with O_DIRECT, for the I/O threads of a backup.
 *
 * <p>Why: a backup reads gigabytes of a disk once. Through the page cache every page must first be
 * allocated, and on a virtual machine whose free memory was handed back to its host (virtio-balloon
 * free page reporting) that allocation costs more than the read itself: a full image of the bench
 * disk spent 7.0 CPU-s in the kernel beside 10.4 CPU-s of its own. A direct read lands in an
 * aligned buffer, and the machine's page cache keeps what its applications put there.
 *
 * <p>Direct reads bypass the kernel's read-ahead, and a read on the thread that then hashes and
 * compresses makes that core wait for the device (tried in session 12: slower). So reads run on I/O
 * threads, several groups of chunks ahead of the cores ({@link ReadAhead}).
 *
 * <p>What the page cache already holds is read from there, by the core itself ({@link #cached}). A
 * disk that was just written, or read by another program, would otherwise be read again from the
 * device: a warm incremental of the bench disk took 3.1 s that way instead of 1.4 s. Whether a span
 * is cached is asked of the kernel ({@code mincore}, through {@link MappedByteBuffer#isLoaded} on
 * read-only mappings of the disk that are never touched, 1 GiB each). Where the kernel will not
 * tell (a file the worker could not write to, as Linux 5.0 and later restrict it), it reports every
 * page as cached and the page cache serves.
 *
 * <p>A read covers the span from the first to the last allocated byte that was asked for, rounded
 * out to the alignment: the logical sector size of a block device, 4 KiB (or the filesystem's block
 * size if larger) for an image file. A filesystem that refuses O_DIRECT on open gives no instance
 * ({@link #open} returns null) and the backup reads through the page cache; one that accepts it but
 * fails a read gets that read, and every later one, through the page cache.
 */
final class SourceReads implements AutoCloseable {

  /** The size of each mapping that {@link #cached} asks the kernel about. */
  private static final long MAPPING = 1L << 30;

  /** What a read fetched: {@code buffer[0, valid)} holds the disk from byte {@code start}. */
  record Span(ByteBuffer buffer, long start, int valid) {

    /** Copies {@code [pos, pos + into.remaining())} of the disk; returns the bytes it had. */
    int copy(long pos, ByteBuffer into) {
      int at = (int) (pos - start);
      int n = Math.max(0, Math.min(into.remaining(), valid - at));
      into.put(into.position(), buffer, at, n);
      into.position(into.position() + n);
      return n;
    }
  }

  private final DiskSource disk;
  private final FileChannel direct;
  private final long alignment;
  private final int capacity;
  private final MappedByteBuffer[] mapped;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private volatile boolean failed;

  private SourceReads(DiskSource disk, FileChannel direct, long alignment, int spanBytes) {
    this.disk = disk;
    this.direct = direct;
    this.alignment = alignment;
    this.capacity = (int) (((spanBytes + alignment - 1) / alignment + 1) * alignment);
    MappedByteBuffer[] m = new MappedByteBuffer[(int) ((disk.size() + MAPPING - 1) / MAPPING)];
    try {
      for (int i = 0; i < m.length; i++) {
        long at = i * MAPPING;
        m[i] = direct.map(FileChannel.MapMode.READ_ONLY, at, Math.min(MAPPING, disk.size() - at));
      }
    } catch (IOException | UnsupportedOperationException e) {
      m = null; // no mapping (some devices): every read goes to the device directly
    }
    this.mapped = m;
  }

  /**
   * Direct reads of {@code disk} of up to {@code spanBytes} each, or null where this filesystem or
   * runtime has none.
   */
  static SourceReads open(DiskSource disk, int spanBytes) {
    OpenOption option = DirectIo.option();
    if (option == null) {
      return null;
    }
    try {
      long alignment =
          BlockDevices.isBlockDevice(disk.path())
              ? disk.sectorSize()
              : DirectIo.alignment(disk.path());
      FileChannel ch = FileChannel.open(disk.path(), StandardOpenOption.READ, option);
      return new SourceReads(disk, ch, alignment, spanBytes);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // refused: the page cache serves this disk
    }
  }

  /** Reads the aligned span around {@code [from, to)}; hand it back with {@link #release}. */
  Span read(long from, long to) {
    long start = from - from % alignment;
    long end = ((to + alignment - 1) / alignment) * alignment;
    ByteBuffer buf = free.poll();
    if (buf == null || buf.capacity() < end - start) {
      // a span longer than was planned for gets a larger buffer, never a short read
      buf = DirectIo.alignedBuffer((int) Math.max(capacity, end - start), alignment);
    }
    buf.clear().limit((int) (end - start));
    if (!failed) {
      try {
        while (buf.hasRemaining()) {
          // only the last read of a disk comes back short, so every read starts aligned
          if (direct.read(buf, start + buf.position()) <= 0) {
            break;
          }
        }
        return new Span(buf, start, buf.position());
      } catch (IOException e) {
        // accepted on open, refused on read (some FUSE and network filesystems): the page cache
        // reads it, and reports a real read error as it would have anyway
        failed = true;
        buf.clear().limit((int) (end - start));
      }
    }
    int n = disk.read(start, buf);
    return new Span(buf, start, n);
  }

  /** Whether the page cache holds all of {@code [start, end)}: then read it from there. */
  boolean cached(long start, long end) {
    long to = Math.min(end, disk.size());
    if (mapped == null || to <= start) {
      return false;
    }
    for (long at = start; at < to; ) {
      MappedByteBuffer m = mapped[(int) (at / MAPPING)];
      int from = (int) (at % MAPPING);
      int n = (int) Math.min(to - at, m.capacity() - from);
      if (!m.slice(from, n).isLoaded()) {
        return false;
      }
      at += n;
    }
    return true;
  }

  void release(Span span) {
    free.add(span.buffer());
  }

  @Override
  public void close() {
    try {
      direct.close();
    } catch (IOException ignored) {
      // opened to read only, as DiskSource's channel: nothing was written, nothing to lose
    }
  }
}
