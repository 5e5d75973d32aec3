package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.EngineVersion;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.chunk.Fingerprints;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.fs.Extents;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.HexList;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.PackWriter;
import io.holdfast.engine.store.Repository;
import io.holdfast.engine.store.SyncAhead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Creates an image: reads the allocated parts of each disk, stores each new chunk once, and commits
 * the manifest only after every chunk it names is durable. Against a parent image, an unchanged
 * chunk costs a read, a hash and a comparison.
 */
public final class CreateImage {

  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * A disk to image.
   *
   * @param partitions partition numbers to image, or null for the whole disk
   */
  public record DiskSpec(Path path, String name, List<Integer> partitions) {
    public static DiskSpec whole(Path path) {
      return new DiskSpec(path, path.getFileName().toString(), null);
    }
  }

  public record Options(
      String machine,
      List<DiskSpec> disks,
      Compression compression,
      boolean incremental,
      int threads) {}

  /**
   * I/O threads reading the disk ahead of the cores, when it is read with O_DIRECT: enough reads
   * queued to keep a device busy without the kernel's read-ahead.
   */
  static final int READ_THREADS = 6;

  /** What one of those reads covers at most: neighbouring chunks up to this many bytes. */
  static final int READ_BYTES = 1 << 20;

  /** How many of those reads run ahead of the cores: 8 MiB in buffers. */
  static final int AHEAD = 8;

  private final Repository repo;
  private final Progress progress;
  private final Cancellation cancel;

  public CreateImage(Repository repo, Progress progress, Cancellation cancel) {
    this.repo = repo;
    this.progress = progress;
    this.cancel = cancel;
  }

  public Manifest run(Options o) {
    if (o.disks().isEmpty()) {
      throw new EngineException("Nothing to image: no disk given.");
    }
    // the parent manifest (about 1.4 MB of JSON for an 8 GiB disk) is read and checked while the
    // partition tables and used-block maps are read: both are single-threaded, about 0.1-0.2 s each
    FutureTask<Manifest> parentTask =
        new FutureTask<>(() -> o.incremental() ? latestOf(o.machine()) : null);
    Thread.ofPlatform().name("holdfast-parent").daemon().start(parentTask);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String id =
        ID_TIME.format(now)
            + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    List<DiskSource> sources = new ArrayList<>();
    try (SyncAhead syncAhead = new SyncAhead(repo.root());
        PackWriter writer = repo.writer(o.compression(), syncAhead)) {
      for (DiskSpec d : o.disks()) {
        sources.add(DiskSource.open(d.path()));
      }
      long total = sources.stream().mapToLong(DiskSource::size).sum();
      AtomicLong done = new AtomicLong();
      List<Manifest.DiskImage> images = new ArrayList<>();
      for (int i = 0; i < sources.size(); i++) {
        DiskSpec spec = o.disks().get(i);
        images.add(
            imageDisk(
                sources.get(i), spec, () -> parentOf(parentTask, spec), o, writer, done, total));
      }
      Manifest parent = await(parentTask);
      progress.update("committing", total, total);
      writer.finish();
      syncAhead.commit();
      writer.writeIndex();
      long used = images.stream().mapToLong(Manifest.DiskImage::usedBytes).sum();
      long stored = images.stream().mapToLong(Manifest.DiskImage::storedBytes).sum();
      Manifest m =
          new Manifest(
              Manifest.FORMAT,
              id,
              o.machine(),
              now.toString(),
              EngineVersion.VERSION,
              repo.chunkSize(),
              o.compression().id(),
              parent == null ? null : parent.id(),
              List.copyOf(images),
              total,
              used,
              stored,
              null);
      return repo.writeManifest(m);
    } catch (IOException e) {
      throw new EngineException("Cannot make the new chunks durable: " + e.getMessage(), e);
    } finally {
      sources.forEach(DiskSource::close);
    }
  }

  private Manifest latestOf(String machine) {
    var refs = repo.listManifests().stream().filter(r -> r.machine().equals(machine)).toList();
    for (int i = refs.size() - 1; i >= 0; i--) {
      try {
        return repo.readManifest(refs.get(i));
      } catch (EngineException damaged) {
        // an unreadable older image is no base for an incremental; try the one before
      }
    }
    return null;
  }

  private Manifest.DiskImage parentOf(FutureTask<Manifest> parentTask, DiskSpec spec) {
    Manifest parent = await(parentTask);
    return parent == null ? null : sameDisk(parent, spec.name());
  }

  private static Manifest await(FutureTask<Manifest> task) {
    return await(task, "Cannot read the previous image");
  }

  /**
   * The result of {@code task}, waiting for it: its own exception rethrown, a checked one wrapped
   * with {@code failure} in front, an interrupt as cancellation.
   */
  static <T> T await(Future<T> task, String failure) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new EngineException(failure + ": " + e.getCause(), e.getCause());
    }
  }

  private static Manifest.DiskImage sameDisk(Manifest parent, String name) {
    return parent.disks().stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
  }

  private Manifest.DiskImage imageDisk(
      DiskSource disk,
      DiskSpec spec,
      Supplier<Manifest.DiskImage> parentDisk,
      Options o,
      PackWriter writer,
      AtomicLong done,
      long total) {
    DiskLayout layout = PartitionTables.read(disk);
    UsedBlocks.DiskMap map = UsedBlocks.map(disk, layout);
    Extents used = restrict(map.used(), layout, spec.partitions());
    Manifest.DiskImage prev = parentDisk.get();
    int cs = repo.chunkSize();
    long size = disk.size();
    int chunks = (int) ((size + cs - 1) / cs);
    // room for the chunks that overlap allocated data: memory follows the data, not the disk
    IntPredicate mayHold = i -> used.overlaps((long) i * cs, Math.min(size, (long) (i + 1) * cs));
    HexList.Slots digests = new HexList.Slots(HexList.DIGEST, chunks, mayHold);
    HexList.Slots prints = digests.parallel(HexList.FINGERPRINT);
    boolean parentUsable =
        prev != null
            && prev.size() == size
            && prev.chunks().size() == chunks
            && repo.chunkSize() == cs;
    // a parent written by an engine before 0.2 has no fingerprints: compare digests instead
    boolean parentPrints =
        parentUsable && prev.fingerprints() != null && prev.fingerprints().size() == chunks;
    Fingerprints fingerprints = repo.fingerprints();
    AtomicLong stored = new AtomicLong();
    ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[cs]);
    ChunkWork work =
        (index, span) -> {
          int at = (int) index;
          long from = index * cs;
          int len = (int) (Math.min(size, from + cs) - from);
          byte[] buf = buffers.get();
          if (span == null) {
            readMasked(disk::read, used, from, len, buf);
          } else {
            readMasked(span::copy, used, from, len, buf);
          }
          if (!isZero(buf, len)) {
            String print = fingerprints.of(buf, len);
            prints.set(at, print);
            if (parentPrints && print.equals(prev.fingerprints().get(at))) {
              // unchanged since the parent image: its digest holds, no SHA-256 needed
              digests.set(at, prev.chunks().get(at));
            } else {
              String digest = Digests.sha256(buf, 0, len);
              digests.set(at, digest);
              boolean unchanged = parentUsable && digest.equals(prev.chunks().get(at));
              if (!unchanged) {
                stored.addAndGet(writer.put(digest, buf, len));
              }
            }
          }
          progress.update("imaging", done.addAndGet(len), total);
        };
    int threads = o.threads() > 0 ? o.threads() : ChunkPool.defaultThreads();
    // neighbouring chunks share one direct read: fewer reads, and fewer wake-ups of I/O threads
    int group = Math.max(1, READ_BYTES / cs);
    long groups = (chunks + group - 1) / group;
    ReadAhead.Plan plan =
        g -> {
          long from = g * group * cs;
          Extents in = used.within(from, Math.min(size, (g + 1) * group * cs));
          int n = in.count();
          return n == 0 ? null : new ReadAhead.Range(in.start(0), in.end(n - 1));
        };
    SourceReads direct = SourceReads.open(disk, group * cs);
    try (direct;
        ReadAhead ahead =
            direct == null ? null : new ReadAhead(direct, plan, groups, AHEAD, READ_THREADS);
        ChunkPool pool = new ChunkPool(threads, cancel)) {
      pool.forEach(
          groups,
          g -> {
            // without direct reads (refused or switched off) the page cache's read-ahead serves
            SourceReads.Span span = ahead == null ? null : ahead.take(g);
            try {
              for (long c = g * group; c < Math.min(chunks, (g + 1) * group); c++) {
                long f = c * cs;
                long t = Math.min(size, f + cs);
                if (used.overlaps(f, t)) {
                  work.run(c, span);
                } else {
                  progress.update("imaging", done.addAndGet(t - f), total);
                }
              }
            } finally {
              if (ahead != null) {
                ahead.release(span);
              }
            }
          });
      pool.await();
    }
    return new Manifest.DiskImage(
        spec.name(),
        size,
        layout,
        map.partitions(),
        spec.partitions() == null ? null : List.copyOf(spec.partitions()),
        digests.build(),
        prints.build(),
        used.bytes(),
        stored.get());
  }

  /** Only the chosen partitions, when some are chosen. */
  private static Extents restrict(Extents used, DiskLayout layout, List<Integer> partitions) {
    if (partitions == null) {
      return used;
    }
    Extents.Builder b = new Extents.Builder();
    for (Integer n : partitions) {
      Partition p =
          layout.partitions().stream()
              .filter(x -> Objects.equals(x.number(), n))
              .findFirst()
              .orElseThrow(
                  () ->
                      new EngineException("The disk has no partition " + n + "; see its layout."));
      Extents in = used.within(p.offset(), p.end());
      for (int i = 0; i < in.count(); i++) {
        b.add(in.start(i), in.end(i));
      }
    }
    return b.build();
  }

  /** One chunk's work, given what an I/O thread read for it (null: read it from the disk). */
  private interface ChunkWork {
    void run(long index, SourceReads.Span span) throws Exception;
  }

  /** Reads part of a disk into a buffer; returns the bytes it had (fewer past the disk's end). */
  interface Reader {
    int read(long offset, ByteBuffer into);
  }

  /** Reads {@code [from, from+len)} with every byte outside {@code used} set to zero. */
  static void readMasked(Reader disk, Extents used, long from, int len, byte[] buf) {
    Extents in = used.within(from, from + len);
    int filled = 0; // buf[0, filled) is final
    for (int i = 0; i < in.count(); i++) {
      int s = (int) (in.start(i) - from);
      int e = (int) (in.end(i) - from);
      Arrays.fill(buf, filled, s, (byte) 0);
      int n = disk.read(from + s, ByteBuffer.wrap(buf, s, e - s));
      Arrays.fill(buf, s + n, e, (byte) 0); // past the end of the disk
      filled = e;
    }
    Arrays.fill(buf, filled, len, (byte) 0);
  }

  /**
   * Compared against piece by piece. Small on purpose: a 16 MiB array took 70 ms to allocate at
   * start-up, on a VM whose fresh memory pages come from its host one fault at a time.
   */
  private static final byte[] ZEROS = new byte[64 << 10];

  static boolean isZero(byte[] buf, int len) {
    for (int at = 0; at < len; at += ZEROS.length) {
      int n = Math.min(ZEROS.length, len - at);
      if (Arrays.mismatch(buf, at, at + n, ZEROS, 0, n) >= 0) {
        return false;
      }
    }
    return true;
  }
}
