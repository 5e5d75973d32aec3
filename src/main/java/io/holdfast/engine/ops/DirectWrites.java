package io.holdfast.engine.ops;

import io.holdfast.engine.store.DirectIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes that bypass the page cache (O_DIRECT) for a restore target, where the target allows them.
 *
 * <p>Why: a restore writes gigabytes the machine will not read again soon. Through the page cache
 * each written page must first be allocated, and on a virtual machine whose free memory was handed
 * back to the host (virtio-balloon free page reporting, as on this project's machines) that costs
 * far more than the copy: 3 GB written by {@code dd} through the page cache took 7.7 CPU-s of
 * kernel time, with {@code oflag=direct} 0.9 CPU-s. Direct writes wait for the device, so they run
 * on writer threads while the cores decode (see {@link ChunkPool}).
 *
 * <p>Only pieces whose offset and length are multiples of the alignment go direct; the rest (the
 * end of a disk whose size is not a multiple of 4 KiB, a partition that does not start on a 4 KiB
 * boundary) go through the page cache. A filesystem that refuses O_DIRECT (tmpfs before Linux 6.6,
 * some FUSE filesystems) makes every write go through the page cache, as does {@link DirectIo}.
 */
final class DirectWrites implements AutoCloseable {

  private final FileChannel channel;
  private final long alignment;

  /**
   * One aligned buffer per writer thread. Handed a heap buffer, the JDK would allocate an aligned
   * direct buffer for every write and free it only on a later GC (peak RSS of a restore grew from
   * 190 to 326 MiB).
   */
  private final ThreadLocal<ByteBuffer> aligned = new ThreadLocal<>();

  private DirectWrites(FileChannel channel, long alignment) {
    this.channel = channel;
    this.alignment = alignment;
  }

  /** Direct writes to {@code target}, or none when its filesystem refuses them. */
  static DirectWrites open(Path target) {
    OpenOption option = DirectIo.option();
    if (option == null) {
      return new DirectWrites(null, 0);
    }
    try {
      long alignment = DirectIo.alignment(target);
      FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE, option);
      return new DirectWrites(channel, alignment);
    } catch (IOException | UnsupportedOperationException e) {
      return new DirectWrites(null, 0);
    }
  }

  /**
   * Writes all of {@code parts}, one after the other, at {@code at} in one write bypassing the page
   * cache; or returns false (and writes nothing) when they cannot go direct: their start or total
   * length is not a multiple of the alignment.
   */
  boolean write(ByteBuffer[] parts, long at) throws IOException {
    long total = 0;
    for (ByteBuffer p : parts) {
      total += p.remaining();
    }
    if (channel == null || at % alignment != 0 || total % alignment != 0) {
      return false;
    }
    ByteBuffer buf = aligned.get();
    if (buf == null || buf.capacity() < total) {
      buf = DirectIo.alignedBuffer((int) total, alignment);
      aligned.set(buf);
    }
    buf.clear();
    for (ByteBuffer p : parts) {
      buf.put(p);
    }
    buf.flip();
    RestoreImage.writeFully(channel, buf, at);
    return true;
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
