package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.BlockDevices;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores one disk of an image, or one partition of it, to a file or a block device.
 *
 * <p>A new or empty file target is created at exactly the needed size and zero chunks become holes.
 * An existing non-empty file or a device is a fixed-size target: it must be large enough (checked
 * before anything is written), and zero chunks are written as zeros. With {@code resume}, chunks
 * already correct on the target are skipped, so an interrupted restore picks up where it stopped.
 *
 * <p>Each chunk read is checked (CRC32C, decryption, decompression) and its plain bytes are
 * compared with the fingerprint the image recorded for that place: five times cheaper than SHA-256,
 * and it catches a blob filed under the wrong digest or damaged past its CRC. {@link VerifyImages}
 * re-hashes with SHA-256.
 */
public final class RestoreImage {

  public record Options(
      String imageId, String disk, Integer partition, Path target, boolean resume) {}

  public record Report(long bytesTotal, long bytesWritten, long bytesSkipped, long chunksRead) {}

  private final Repository repo;
  private final Progress progress;
  private final Cancellation cancel;

  public RestoreImage(Repository repo, Progress progress, Cancellation cancel) {
    this.repo = repo;
    this.progress = progress;
    this.cancel = cancel;
  }

  public Report run(Options o) {
    Manifest m = repo.findManifest(o.imageId());
    Manifest.DiskImage disk = pickDisk(m, o.disk());
    long regionStart = 0;
    long regionEnd = disk.size();
    if (o.partition() != null) {
      Partition p =
          disk.layout().partitions().stream()
              .filter(x -> x.number() == o.partition())
              .findFirst()
              .orElseThrow(
                  () ->
                      new EngineException(
                          "Disk "
                              + disk.name()
                              + " of image "
                              + m.id()
                              + " has no partition "
                              + o.partition()
                              + "."));
      if (disk.partitions() != null && !disk.partitions().contains(p.number())) {
        throw new EngineException(
            "Partition "
                + p.number()
                + " was not part of image "
                + m.id()
                + "; it imaged "
                + disk.partitions()
                + ".");
      }
      regionStart = p.offset();
      regionEnd = p.end();
    }
    long needed = regionEnd - regionStart;
    boolean device = BlockDevices.isBlockDevice(o.target());
    boolean fixedSize;
    try {
      fixedSize = device || (Files.exists(o.target()) && Files.size(o.target()) > 0);
      long available =
          device ? BlockDevices.size(o.target()) : fixedSize ? Files.size(o.target()) : -1;
      if (fixedSize && available < needed) {
        throw new EngineException(
            "The target "
                + o.target()
                + " holds "
                + available
                + " bytes but the restore needs "
                + needed
                + ". Nothing was written; choose a target at least that large.");
      }
    } catch (IOException e) {
      throw new EngineException(
          "Cannot inspect the target " + o.target() + ": " + e.getMessage(), e);
    }
    int cs = m.chunkSize();
    long start = regionStart;
    long end = regionEnd;
    boolean writeZeros = fixedSize;
    AtomicLong written = new AtomicLong();
    AtomicLong skipped = new AtomicLong();
    AtomicLong read = new AtomicLong();
    AtomicLong done = new AtomicLong();
    try {
      if (!fixedSize) {
        // a new file at exactly the needed length: zero chunks then stay holes
        try (RandomAccessFile f = new RandomAccessFile(o.target().toFile(), "rw")) {
          f.setLength(0);
          f.setLength(needed);
        }
      }
    } catch (IOException e) {
      throw new EngineException(
          "Cannot create the target " + o.target() + ": " + e.getMessage(), e);
    }
    try (FileChannel out =
            FileChannel.open(o.target(), StandardOpenOption.WRITE, StandardOpenOption.READ);
        DirectWrites direct = DirectWrites.open(o.target())) {
      byte[] zeros = new byte[cs];
      // checked against each restored chunk instead of its SHA-256 (verify re-hashes)
      List<String> prints =
          disk.fingerprints() != null && disk.fingerprints().size() == disk.chunks().size()
              ? disk.fingerprints()
              : null;
      // chunk buffers on their way from a core to a writer thread, reused
      Queue<byte[]> buffers = new ConcurrentLinkedQueue<>();
      try (Flusher flusher = new Flusher(out);
          ChunkPool pool =
              new ChunkPool(
                  ChunkPool.defaultThreads(), ChunkPool.ioThreads(), WRITE_THREADS, cs, cancel)) {
        int first = (int) (start / cs);
        int last = (int) ((end + cs - 1) / cs);
        for (int i = first; i < last; i++) {
          long cFrom = (long) i * cs;
          long cTo = Math.min(disk.size(), cFrom + cs);
          long sFrom = Math.max(cFrom, start);
          long sTo = Math.min(cTo, end);
          String digest = disk.chunks().get(i);
          String print = prints == null ? null : prints.get(i);
          if (digest == null && !writeZeros) {
            progress.update("restoring", done.addAndGet(sTo - sFrom), needed);
            continue;
          }
          int len = (int) (sTo - sFrom);
          long at = sFrom - start;
          boolean whole = sFrom == cFrom && sTo == cTo;
          pool.<byte[], Piece>submit(
              i,
              index -> {
                // the blocking part: what is on the target now (resume), and the stored blob
                if (o.resume() && alreadyThere(out, at, len, digest, print, whole)) {
                  return null;
                }
                return digest == null ? zeros : repo.readBlob(digest);
              },
              (index, blob) -> {
                if (blob == null) {
                  skipped.addAndGet(len);
                  progress.update("restoring", done.addAndGet(len), needed);
                  return null;
                }
                if (digest == null) {
                  return new Piece(zeros, 0, len, at, false);
                }
                byte[] data = buffers.poll();
                if (data == null) {
                  data = new byte[cs];
                }
                repo.decodeChunk(digest, print, blob, data);
                read.incrementAndGet();
                return new Piece(data, (int) (sFrom - cFrom), len, at, true);
              },
              (index, piece) -> {
                ByteBuffer b = ByteBuffer.wrap(piece.data(), piece.offset(), piece.length());
                if (!direct.write(b, piece.at())) {
                  writeFully(out, b, piece.at());
                  flusher.wrote(piece.length());
                }
                if (piece.reusable()) {
                  buffers.offer(piece.data());
                }
                written.addAndGet(piece.length());
                progress.update("restoring", done.addAndGet(piece.length()), needed);
              });
        }
        pool.await();
      }
      out.force(true);
    } catch (IOException e) {
      throw new EngineException("Writing to " + o.target() + " failed: " + e.getMessage(), e);
    }
    return new Report(needed, written.get(), skipped.get(), read.get());
  }

  static Manifest.DiskImage pickDisk(Manifest m, String name) {
    if (name == null) {
      if (m.disks().size() != 1) {
        throw new EngineException(
            "Image " + m.id() + " holds " + m.disks().size() + " disks; name the one to restore.");
      }
      return m.disks().get(0);
    }
    return m.disks().stream()
        .filter(d -> d.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new EngineException("Image " + m.id() + " has no disk " + name + "."));
  }

  /**
   * Whether the target already holds this slice: a zero slice, or a whole chunk by its fingerprint
   * (by its digest for images without fingerprints).
   */
  private boolean alreadyThere(
      FileChannel out, long at, int len, String digest, String print, boolean wholeChunk)
      throws IOException {
    if (digest != null && !wholeChunk) {
      return false;
    }
    byte[] have = new byte[len];
    ByteBuffer b = ByteBuffer.wrap(have);
    while (b.hasRemaining()) {
      if (out.read(b, at + b.position()) < 0) {
        return false;
      }
    }
    if (digest == null) {
      return CreateImage.isZero(have, len);
    }
    return print != null
        ? repo.fingerprints().of(have, len).equals(print)
        : Digests.sha256(have, 0, len).equals(digest);
  }

  /**
   * Flushes the target in the background every {@value #FLUSH_EVERY} bytes written, so the disk
   * writes while chunks are still being decoded and the final fsync has little left to do (without
   * it, 3 GB restored here sat in the page cache and the last fsync took 1.3 to 2.3 s).
   */
  private static final class Flusher implements AutoCloseable {
    private static final long FLUSH_EVERY = 256L << 20;
    private final FileChannel out;
    private final java.util.concurrent.ExecutorService thread =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "holdfast-flush");
              t.setDaemon(true);
              return t;
            });
    private final java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong flushedUpTo = new AtomicLong();
    private final AtomicLong buffered = new AtomicLong();

    Flusher(FileChannel out) {
      this.out = out;
    }

    /** Counts bytes written through the page cache; starts a flush every {@value #FLUSH_EVERY}. */
    void wrote(long bytes) {
      long total = buffered.addAndGet(bytes);
      if (total - flushedUpTo.get() >= FLUSH_EVERY && busy.compareAndSet(false, true)) {
        flushedUpTo.set(total);
        thread.execute(
            () -> {
              try {
                out.force(false);
              } catch (IOException e) {
                // the final fsync reports it
              } finally {
                busy.set(false);
              }
            });
      }
    }

    @Override
    public void close() {
      thread.shutdown();
      try {
        thread.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Threads writing restored chunks, so the cores keep decoding while the target writes. */
  private static final int WRITE_THREADS = 4;

  /**
   * Restored bytes on their way to the target: {@code length} bytes of {@code data} for {@code at}.
   */
  private record Piece(byte[] data, int offset, int length, long at, boolean reusable) {}

  static void writeFully(FileChannel out, ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += out.write(b, pos);
    }
  }
}
