package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.BlockDevices;
import io.holdfast.engine.disk.DeviceUse;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores one disk of an image, or one partition of it, to a file or a block device.
 *
 * <p>A new or empty file target is created at exactly the needed size and zero chunks become holes.
 * An existing non-empty file or a device is a fixed-size target: it must be large enough (checked
 * before anything is written), and zero chunks are written as zeros. With {@code resume}, chunks
 * already correct on the target are skipped, so an interrupted restore picks up where it stopped. A
 * target in use (a filesystem mounted from it, swap, LVM or RAID on it, a loop device on a file) is
 * refused before anything is written ({@link DeviceUse}).
 *
 * <p>Each chunk read is checked (CRC32C, decryption, decompression) and its plain bytes are
 * compared with the fingerprint the image recorded for that place: five times cheaper than SHA-256,
 * and it catches a blob filed under the wrong digest or damaged past its CRC. {@link VerifyImages}
 * re-hashes with SHA-256.
 */
public final class RestoreImage {

  public record Options(
      String imageId, String disk, Integer partition, Path target, boolean resume) {}

  /**
   * @param partitionTable after a whole disk onto a block device: null when the kernel re-read its
   *     partition table, else why it did not (its partition devices then describe the old table
   *     until partprobe or a reboot); null for other restores
   */
  public record Report(
      long bytesTotal,
      long bytesWritten,
      long bytesSkipped,
      long chunksRead,
      String partitionTable) {}

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
    Region region = region(m, o.disk(), o.partition());
    Manifest.DiskImage disk = region.disk();
    long regionStart = region.start();
    long regionEnd = region.end();
    long needed = regionEnd - regionStart;
    List<String> users = DeviceUse.of(o.target());
    if (!users.isEmpty()) {
      throw new EngineException(
          "The target "
              + o.target()
              + " is in use: "
              + String.join("; ", users)
              + ". Nothing was written; stop what uses it, or restore from a live system booted on"
              + " that machine.");
    }
    boolean device = BlockDevices.isBlockDevice(o.target());
    if (device && o.partition() != null && !BlockDevices.isPartition(o.target())) {
      refusePartitionOverTable(o.target(), o.partition());
    }
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
    boolean writeZeros = fixedSize;
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
    Batches batches;
    try (FileChannel out =
            FileChannel.open(o.target(), StandardOpenOption.WRITE, StandardOpenOption.READ);
        DirectWrites direct = DirectWrites.open(o.target())) {
      // checked against each restored chunk instead of its SHA-256 (verify re-hashes)
      List<String> prints =
          disk.fingerprints() != null && disk.fingerprints().size() == disk.chunks().size()
              ? disk.fingerprints()
              : null;
      try (Flusher flusher = new Flusher(out);
          ChunkPool pool =
              new ChunkPool(
                  ChunkPool.defaultThreads(),
                  PackWindow.READS,
                  WRITE_THREADS,
                  WINDOW_CHUNKS * cs,
                  cancel)) {
        batches = new Batches(pool, flusher, out, direct, o.resume(), cs, needed);
        int first = (int) (regionStart / cs);
        int last = (int) ((regionEnd + cs - 1) / cs);
        for (int i = first; i < last; i++) {
          long cFrom = (long) i * cs;
          long cTo = Math.min(disk.size(), cFrom + cs);
          long sFrom = Math.max(cFrom, regionStart);
          long sTo = Math.min(cTo, regionEnd);
          String digest = disk.chunks().get(i);
          if (digest == null && !writeZeros) {
            batches.hole(sTo - sFrom);
            continue;
          }
          batches.add(
              new Slice(
                  digest,
                  prints == null ? null : prints.get(i),
                  sFrom - regionStart,
                  (int) (sFrom - cFrom),
                  (int) (sTo - sFrom),
                  sFrom == cFrom && sTo == cTo));
        }
        batches.flush();
        pool.await();
      }
      out.force(true);
    } catch (IOException e) {
      throw new EngineException("Writing to " + o.target() + " failed: " + e.getMessage(), e);
    }
    String table =
        device && o.partition() == null ? BlockDevices.rereadPartitionTable(o.target()) : null;
    return new Report(
        needed, batches.written.get(), batches.skipped.get(), batches.read.get(), table);
  }

  /**
   * A partition restored onto a whole disk starts at its first byte, where the disk's partition
   * table is: refused while that disk has one with partitions in it. A disk without a table (a
   * stick formatted whole, a blank disk) may take a partition as its only filesystem.
   */
  private static void refusePartitionOverTable(Path target, int partition) {
    DiskLayout layout;
    try (DiskSource d = DiskSource.open(target)) {
      layout = PartitionTables.read(d);
    }
    if (!layout.partitions().isEmpty()) {
      throw new EngineException(
          "The target "
              + target
              + " is a whole disk with a "
              + layout.scheme().toUpperCase(Locale.ROOT)
              + " partition table of "
              + layout.partitions().size()
              + " partition(s); partition "
              + partition
              + " would be written over it. Nothing was written; name one of its partitions, or"
              + " restore the whole disk.");
    }
  }

  /** The bytes of one disk of an image, or of one of its partitions, that a restore writes. */
  record Region(Manifest.DiskImage disk, long start, long end) {}

  /** The disk named (null: the only one) or its partition (null: the whole disk). */
  static Region region(Manifest m, String diskName, Integer partition) {
    Manifest.DiskImage disk = pickDisk(m, diskName);
    if (partition != null) {
      Partition p =
          disk.layout().partitions().stream()
              .filter(x -> x.number() == partition)
              .findFirst()
              .orElseThrow(
                  () ->
                      new EngineException(
                          "Disk "
                              + disk.name()
                              + " of image "
                              + m.id()
                              + " has no partition "
                              + partition
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
      return new Region(disk, p.offset(), p.end());
    }
    return new Region(disk, 0, disk.size());
  }

  static Manifest.DiskImage pickDisk(Manifest m, String name) {
    if (name == null) {
      if (m.disks().size() != 1) {
        throw new EngineException(
            "Image "
                + m.id()
                + " holds "
                + m.disks().size()
                + " disks; name one of them: "
                + String.join(", ", m.disks().stream().map(Manifest.DiskImage::name).toList())
                + ".");
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
  private boolean alreadyThere(FileChannel out, Slice s) throws IOException {
    if (s.digest() != null && !s.whole()) {
      return false;
    }
    byte[] have = new byte[s.length()];
    ByteBuffer b = ByteBuffer.wrap(have);
    while (b.hasRemaining()) {
      if (out.read(b, s.at() + b.position()) < 0) {
        return false;
      }
    }
    if (s.digest() == null) {
      return CreateImage.isZero(have, s.length());
    }
    return s.print() != null
        ? repo.fingerprints().of(have, s.length()).equals(s.print())
        : Digests.sha256(have, 0, s.length()).equals(s.digest());
  }

  /**
   * {@code length} bytes of the target at {@code at}: bytes {@code [offset, offset + length)} of a
   * chunk ({@code digest} null: of a zero chunk); {@code whole} when that is all of the chunk.
   */
  private record Slice(
      String digest, String print, long at, int offset, int length, boolean whole) {}

  /**
   * Most chunks one read fetches. Their plain bytes stay in memory until written, so this and
   * {@link PackWindow#BYTES} bound a window's memory: 1 MiB plain, at most 480 KiB read, for 256
   * KiB chunks.
   */
  static final int WINDOW_CHUNKS = 4;

  /**
   * The restore's slices on their way to the pool: neighbouring blobs of a pack gathered into one
   * read, neighbouring zero slices of a fixed-size target into one write, chunk files of a format 1
   * repository one by one. Slices come in the disk's order; a backup stores them in about that
   * order, so neighbours on the disk are mostly neighbours in a pack.
   */
  private final class Batches {
    private final ChunkPool pool;
    private final Flusher flusher;
    private final FileChannel out;
    private final DirectWrites direct;
    private final boolean resume;
    private final long needed;
    private final byte[] zeros;
    // chunk buffers on their way from a core to a writer thread, reused
    private final Queue<byte[]> buffers = new ConcurrentLinkedQueue<>();
    private final AtomicLong done = new AtomicLong();
    final AtomicLong written = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong read = new AtomicLong();
    private PackWindow<Slice> window = new PackWindow<>();
    private final List<Slice> zeroRun = new ArrayList<>();
    private long submitted;

    Batches(
        ChunkPool pool,
        Flusher flusher,
        FileChannel out,
        DirectWrites direct,
        boolean resume,
        int chunkSize,
        long needed) {
      this.pool = pool;
      this.flusher = flusher;
      this.out = out;
      this.direct = direct;
      this.resume = resume;
      this.needed = needed;
      this.zeros = new byte[chunkSize];
    }

    /** A zero slice that a new file target already holds as a hole. */
    void hole(long length) {
      progress.update("restoring", done.addAndGet(length), needed);
    }

    void add(Slice s) {
      if (s.digest() == null) {
        Slice last = zeroRun.isEmpty() ? null : zeroRun.getLast();
        if (last != null
            && (zeroRun.size() >= WINDOW_CHUNKS || last.at() + last.length() != s.at())) {
          flushZeros();
        }
        zeroRun.add(s);
        return;
      }
      Repository.BlobAt at = repo.locate(s.digest());
      if (at == null) {
        alone(s);
        return;
      }
      if (!window.accepts(at.pack(), at.offset(), at.length(), WINDOW_CHUNKS)) {
        flushWindow();
      }
      window.add(s, at.pack(), at.offset(), at.length());
    }

    /** Hands what is gathered so far to the pool. */
    void flush() {
      flushWindow();
      flushZeros();
    }

    /**
     * Zero slices next to each other on a fixed-size target, written in one piece: restoring the
     * bench disk onto an existing file wrote its 5.6 GB of zeros 256 KiB at a time.
     */
    private void flushZeros() {
      if (zeroRun.isEmpty()) {
        return;
      }
      List<Slice> run = List.copyOf(zeroRun);
      zeroRun.clear();
      pool.<boolean[], List<Piece>>submit(
          submitted++,
          index -> {
            boolean[] there = new boolean[run.size()];
            for (int k = 0; resume && k < there.length; k++) {
              there[k] = alreadyThere(out, run.get(k));
            }
            return there;
          },
          (index, there) -> {
            List<Piece> pieces = new ArrayList<>(run.size());
            for (int k = 0; k < there.length; k++) {
              Slice s = run.get(k);
              if (there[k]) {
                skip(s);
              } else {
                pieces.add(new Piece(zeros, 0, s.length(), s.at(), false));
              }
            }
            return pieces.isEmpty() ? null : pieces;
          },
          (index, pieces) -> write(pieces));
    }

    /** Hands the window gathered so far to the pool. */
    private void flushWindow() {
      if (window.isEmpty()) {
        return;
      }
      PackWindow<Slice> w = window;
      window = new PackWindow<>();
      List<PackWindow.Blob<Slice>> blobs = w.blobs();
      pool.<Fetched, List<Piece>>submit(
          submitted++,
          index -> {
            // the blocking part: what is on the target now (resume), and the stored blobs
            boolean[] there = null;
            if (resume) {
              there = new boolean[blobs.size()];
              boolean all = true;
              for (int k = 0; k < there.length; k++) {
                there[k] = alreadyThere(out, blobs.get(k).item());
                all &= there[k];
              }
              if (all) {
                return new Fetched(null, there);
              }
            }
            try {
              return new Fetched(repo.readPackSpan(w.pack(), w.from(), w.span()), there);
            } catch (IOException e) {
              // a collection moved the pack meanwhile, say: each blob is found on its own
              return new Fetched(null, there);
            }
          },
          (index, fetched) -> {
            List<Piece> pieces = new ArrayList<>(blobs.size());
            for (int k = 0; k < blobs.size(); k++) {
              PackWindow.Blob<Slice> b = blobs.get(k);
              if (fetched.there() != null && fetched.there()[k]) {
                skip(b.item());
                continue;
              }
              byte[] blob =
                  fetched.bytes() != null
                      ? w.slice(fetched.bytes(), b)
                      : repo.readBlob(b.item().digest());
              pieces.add(decoded(b.item(), blob));
            }
            return pieces.isEmpty() ? null : pieces;
          },
          (index, pieces) -> write(pieces));
    }

    /** A slice whose blob no pack holds: a chunk file of a format 1 repository, or missing. */
    private void alone(Slice s) {
      pool.<byte[], List<Piece>>submit(
          submitted++,
          index -> resume && alreadyThere(out, s) ? null : repo.readBlob(s.digest()),
          (index, blob) -> {
            if (blob == null) {
              skip(s);
              return null;
            }
            return List.of(decoded(s, blob));
          },
          (index, pieces) -> write(pieces));
    }

    private void skip(Slice s) {
      skipped.addAndGet(s.length());
      progress.update("restoring", done.addAndGet(s.length()), needed);
    }

    /** Checks a blob and decodes it into a buffer of its own, for a writer thread. */
    private Piece decoded(Slice s, byte[] blob) {
      byte[] data = buffers.poll();
      if (data == null) {
        data = new byte[zeros.length];
      }
      repo.decodeChunk(s.digest(), s.print(), blob, data);
      read.incrementAndGet();
      return new Piece(data, s.offset(), s.length(), s.at(), true);
    }

    /** Writes pieces in the target's order, each run of adjacent ones in one write. */
    private void write(List<Piece> pieces) throws IOException {
      int from = 0;
      while (from < pieces.size()) {
        int to = from + 1;
        while (to < pieces.size()
            && pieces.get(to).at() == pieces.get(to - 1).at() + pieces.get(to - 1).length()) {
          to++;
        }
        List<Piece> run = pieces.subList(from, to);
        ByteBuffer[] bufs = new ByteBuffer[run.size()];
        long bytes = 0;
        for (int k = 0; k < bufs.length; k++) {
          Piece p = run.get(k);
          bufs[k] = ByteBuffer.wrap(p.data(), p.offset(), p.length());
          bytes += p.length();
        }
        if (!direct.write(bufs, run.getFirst().at())) {
          for (int k = 0; k < bufs.length; k++) {
            writeFully(out, bufs[k], run.get(k).at());
          }
          flusher.wrote(bytes);
        }
        for (Piece p : run) {
          if (p.reusable()) {
            buffers.offer(p.data());
          }
        }
        written.addAndGet(bytes);
        progress.update("restoring", done.addAndGet(bytes), needed);
        from = to;
      }
    }
  }

  /**
   * A window's read: the bytes (null: the read failed, each blob is read alone), and which of its
   * slices the target already holds (null: not a resume).
   */
  private record Fetched(byte[] bytes, boolean[] there) {}

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
