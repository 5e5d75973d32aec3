package io.holdfast.engine.store;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.Compression;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Stores a backup's new chunks in pack files of about {@link #TARGET} bytes (or {@link #MAX_BLOBS}
 * blobs, whichever comes first). Many threads may put chunks at once: each encodes its blob on its
 * own and appends it to an open pack that no other thread is appending to. {@link #finish}
 * completes the open packs; every finished pack is handed to {@code written}, whose owner makes it
 * durable before any manifest names its chunks. {@link #close} without {@link #finish} discards the
 * unfinished packs.
 *
 * <p>A writer opens a second pack only when a thread finds every open one busy, and never more than
 * {@link #STRIPES}: a single thread (garbage collection, recompression) fills one pack at a time,
 * and a backup ends with at most that many packs under the target size. With one open pack the two
 * threads imaging the bench disk waited 0.5-0.9 s in all for each other's appends, most of it
 * behind a thread that waited for a free segment while it held the pack.
 *
 * <p>Where the filesystem allows, a pack's bytes are gathered in {@value #SEGMENT}-byte aligned
 * buffers and written with O_DIRECT on a background thread, past the page cache: on this project's
 * virtual machines, whose free memory is handed back to the host, allocating page-cache pages for
 * 1.4 GB of packs cost about 2.6 CPU-s of kernel time during a full backup of the bench disk, time
 * the cores need for hashing and compressing. The last segment is padded to the alignment and the
 * pack truncated to its true size before it is sealed.
 */
public final class PackWriter implements AutoCloseable {

  /** A pack is finished once it holds this many bytes of blobs. */
  static final long TARGET = 16L << 20;

  /**
   * ... or this many blobs: what a writer holds of a pack's chunks until it is finished (about 220
   * bytes a blob) stays bounded however well they compress.
   */
  static final int MAX_BLOBS = 32_768;

  /** The most packs a writer fills at once: one for each thread that may append at a time. */
  static final int STRIPES = Math.min(8, Math.max(2, Runtime.getRuntime().availableProcessors()));

  private final Repository repo;
  private final Compression compression;
  private final int level;
  private final Consumer<Path> written;
  // chunks on their way into a pack that is not yet in the repository's index
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Set<Path> touched = ConcurrentHashMap.newKeySet();

  // the packs being filled, each guarded by its own lock; added to under `this`
  private final List<Open> open = new CopyOnWriteArrayList<>();

  // the index file that names the finished packs, filled as each is finished (so a backup holds
  // none of their entries), and committed by whoever gave it or by writeIndex
  private final boolean ownIndex;
  private final Object indexLock = new Object();
  private IndexBuilder index; // guarded by indexLock

  /**
   * Bytes of a pack gathered before they go to the device in one direct write. Where the disk's
   * data does not compress (the bench disk has about 350 MiB of it at the start of its ext4
   * partition), a backup writes as fast as it reads, and writing the packs is the limit: the
   * imaging threads then wait for free segments (about 0.5 s there, with either segment size). One
   * write of 4 MiB costs less than four of 1 MiB (fio here, direct, one thread: 1,057-1,168 MiB/s
   * against 827-1,139 MiB/s). Six alternating pairs of full images in a resident JVM: 5.83 s mean
   * with 4 MiB segments, 5.99 s with 1 MiB, faster in five pairs of six.
   */
  static final int SEGMENT = 4 << 20;

  /**
   * Segments filled or on their way to the device, for all open packs: 32 MiB in all. The device
   * thread's writes take 10 to 20 ms now and then while packs are fsynced beside them, and a thread
   * that finds no free segment waits. With 1 MiB segments, the two imaging threads waited 0.9 s in
   * all with 4 (JFR, parks over 1 ms), 0.4 s with 8, 0.2 s with 16, and 0.05-0.12 s with 32
   * (wall-clock profiles, against 0.56-0.62 s with 8); 8 of 4 MiB hold the same 32 MiB. Segments
   * are allocated as needed, so a small backup never holds 32 MiB.
   */
  private static final int SEGMENTS = 8;

  private final OpenOption directOption = DirectIo.option();
  private volatile boolean directRefused = directOption == null;
  private volatile long alignment;
  private final AtomicInteger segmentsMade = new AtomicInteger();
  private final BlockingQueue<ByteBuffer> freeSegments = new ArrayBlockingQueue<>(SEGMENTS);
  private final AtomicReference<IOException> writeFailure = new AtomicReference<>();
  // writes full segments and completes sealed packs, in the order they were handed over
  private final ExecutorService device =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().daemon().name("holdfast-pack-write").unstarted(r));
  private volatile boolean deviceUsed;
  private final Object completing = new Object();

  /** A pack being filled; its fields are guarded by {@link #lock}. */
  private static final class Open {
    final ReentrantLock lock = new ReentrantLock();
    FileChannel channel; // null until the first blob, and again once sealed
    Path tmp;
    long position;
    List<PackFile.Entry> entries;
    FileChannel direct; // the pack opened for O_DIRECT, null when refused
    ByteBuffer segment; // being filled
    long segmentAt; // the pack offset of its first byte
  }

  /** A pack whose last bytes are on their way to the device; completed on the device thread. */
  private record Sealed(
      FileChannel channel, FileChannel direct, Path tmp, List<PackFile.Entry> entries, long size) {}

  /**
   * @param compression how {@link #put} and {@link #putAgain} compress chunks
   * @param level what this writer's packs record as the lowest zstd level of their blobs
   * @param index where finished packs are named, or null for an index file of this writer's own,
   *     made when its first pack is finished and committed by {@link #writeIndex}
   */
  PackWriter(
      Repository repo,
      Compression compression,
      int level,
      Consumer<Path> written,
      IndexBuilder index) {
    this.repo = repo;
    this.compression = compression;
    this.level = level;
    this.written = written;
    this.ownIndex = index == null;
    this.index = index;
  }

  /**
   * Stores a chunk unless the repository or this writer has it already. Returns the bytes written,
   * 0 when it existed (its pack is then marked as recently used, once per backup, so that a garbage
   * collection running alongside does not remove it before this backup's manifest names it).
   */
  public long put(String digest, byte[] plain, int len) {
    byte[] raw = HexFormat.of().parseHex(digest);
    // pending first: a pack leaves it only once the repository's index names its chunks
    if (!pending.add(digest)) {
      return 0;
    }
    if (repo.holds(raw, digest, touched)) {
      pending.remove(digest);
      return 0;
    }
    return putAgain(raw, digest, plain, len);
  }

  /**
   * Stores a chunk the repository holds already, encoded anew: recompression, which deletes the old
   * copy once the new one is durable. Returns the bytes written.
   */
  public long putAgain(String digest, byte[] plain, int len) {
    return putAgain(HexFormat.of().parseHex(digest), digest, plain, len);
  }

  private long putAgain(byte[] raw, String digest, byte[] plain, int len) {
    ByteBuffer blob = repo.codec().encodeShared(digest, plain, len, compression);
    int n = blob.remaining();
    append(raw, blob);
    return n;
  }

  /**
   * Appends a blob that was already checked, as it is: garbage collection moving live chunks, or
   * recompression moving chunks that need no new encoding. The blob's level must not be below this
   * writer's.
   */
  void putBlob(byte[] rawDigest, byte[] blob) {
    append(rawDigest, ByteBuffer.wrap(blob));
  }

  private void append(byte[] digest, ByteBuffer blob) {
    Open o = acquire();
    try {
      if (o.channel == null) {
        open(o);
      }
      int n = blob.remaining();
      put(o, blob);
      o.entries.add(new PackFile.Entry(digest, o.position, n));
      o.position += n;
      if (o.position >= TARGET || o.entries.size() >= MAX_BLOBS) {
        seal(o);
      }
    } catch (IOException e) {
      throw new EngineException("Cannot write a pack to " + repo.root() + ": " + e.getMessage(), e);
    } finally {
      o.lock.unlock();
    }
  }

  /** An open pack no other thread is appending to, locked; a new one while there may be more. */
  private Open acquire() {
    for (Open o : open) {
      if (o.lock.tryLock()) {
        return o;
      }
    }
    synchronized (this) {
      if (open.size() < STRIPES) {
        Open o = new Open();
        o.lock.lock();
        open.add(o);
        return o;
      }
    }
    Open o = open.get(ThreadLocalRandom.current().nextInt(open.size()));
    o.lock.lock();
    return o;
  }

  /** Completes the open packs, if any, and waits until every finished pack is in place. */
  public void finish() {
    try {
      for (Open o : open) {
        o.lock.lock();
        try {
          if (o.channel != null) {
            seal(o);
          }
        } finally {
          o.lock.unlock();
        }
      }
      awaitWrites();
    } catch (IOException e) {
      throw new EngineException(
          "Cannot complete a pack in " + repo.root() + ": " + e.getMessage(), e);
    }
  }

  private void open(Open o) throws IOException {
    String id = UUID.randomUUID().toString().replace("-", "");
    o.tmp = repo.root().resolve("tmp").resolve(id + ".pack");
    Files.createDirectories(o.tmp.getParent());
    o.channel =
        FileChannel.open(
            o.tmp,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ);
    o.entries = new ArrayList<>();
    o.position = 0;
    openDirect(o);
    ByteBuffer header = PackFile.header(level);
    int n = header.remaining();
    put(o, header);
    o.position += n;
  }

  private void openDirect(Open o) throws IOException {
    o.direct = null;
    if (directRefused) {
      return;
    }
    try {
      if (alignment == 0) {
        alignment = DirectIo.alignment(o.tmp);
      }
      if (SEGMENT % alignment != 0) {
        directRefused = true;
        return;
      }
      o.direct = FileChannel.open(o.tmp, StandardOpenOption.WRITE, directOption);
    } catch (IOException | UnsupportedOperationException e) {
      // tmpfs before Linux 6.6, some network and FUSE filesystems: the page cache it is
      directRefused = true;
      return;
    }
    o.segment = takeSegment();
    o.segmentAt = 0;
  }

  /** Appends {@code b} to the open pack at its position (not advanced here). */
  private void put(Open o, ByteBuffer b) throws IOException {
    if (o.direct == null) {
      int n = b.remaining();
      while (b.hasRemaining()) {
        o.channel.write(b, o.position + n - b.remaining());
      }
      return;
    }
    while (b.hasRemaining()) {
      int n = Math.min(b.remaining(), o.segment.remaining());
      o.segment.put(o.segment.position(), b, b.position(), n);
      o.segment.position(o.segment.position() + n);
      b.position(b.position() + n);
      if (!o.segment.hasRemaining()) {
        writeSegment(o);
        o.segment = takeSegment();
      }
    }
  }

  /** Hands the filled part of the pack's segment, padded to the alignment, to the device thread. */
  private void writeSegment(Open o) throws IOException {
    rethrowWriteFailure();
    ByteBuffer full = o.segment;
    long at = o.segmentAt;
    int len = full.position();
    int padded = (int) ((len + alignment - 1) / alignment * alignment);
    full.put(len, new byte[padded - len]);
    full.position(0).limit(padded);
    o.segmentAt += len;
    FileChannel out = o.direct;
    submit(
        () -> {
          try {
            long pos = at;
            while (full.hasRemaining()) {
              pos += out.write(full, pos);
            }
          } catch (IOException e) {
            writeFailure.compareAndSet(null, e);
          } finally {
            full.clear();
            freeSegments.add(full);
          }
        });
  }

  private void submit(Runnable task) {
    deviceUsed = true;
    device.execute(task);
  }

  private ByteBuffer takeSegment() throws IOException {
    ByteBuffer b = freeSegments.poll();
    if (b != null) {
      return b;
    }
    if (segmentsMade.getAndUpdate(n -> n < SEGMENTS ? n + 1 : n) < SEGMENTS) {
      return DirectIo.alignedBuffer(SEGMENT, alignment);
    }
    try {
      return freeSegments.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing a pack", e);
    }
  }

  /** Waits until every segment and pack handed to the device thread is done with. */
  private void awaitWrites() throws IOException {
    if (deviceUsed) {
      try {
        // the device thread takes its tasks in order: once this one ran, all before it have
        device.submit(() -> {}).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while writing a pack", e);
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      }
    }
    rethrowWriteFailure();
  }

  private void rethrowWriteFailure() throws IOException {
    IOException e = writeFailure.get();
    if (e != null) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Seals the open pack: appends its index and trailer and hands it over. With direct writes the
   * device thread completes it after its last segment, so the threads putting chunks go on with the
   * next pack at once instead of waiting for the device, a rename and a directory update (about a
   * millisecond per pack, during which every other thread's append waited).
   */
  private void seal(Open o) throws IOException {
    ByteBuffer tail = PackFile.indexAndTrailer(o.entries, o.position);
    long size = o.position + tail.remaining();
    put(o, tail);
    Sealed sealed = new Sealed(o.channel, o.direct, o.tmp, o.entries, size);
    if (o.direct != null) {
      if (o.segment.position() > 0) {
        writeSegment(o);
      } else {
        freeSegments.add(o.segment);
      }
      o.segment = null;
      submit(
          () -> {
            try {
              complete(sealed);
            } catch (IOException | RuntimeException e) {
              writeFailure.compareAndSet(
                  null, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
          });
    } else {
      complete(sealed);
    }
    o.channel = null;
    o.direct = null;
    o.tmp = null;
  }

  /**
   * Moves a sealed pack into place, once all of its bytes are written. One pack at a time: without
   * direct writes the threads appending complete their packs themselves, and {@code written} need
   * not be thread-safe.
   */
  private void complete(Sealed p) throws IOException {
    synchronized (completing) {
      completeAlone(p);
    }
  }

  private void completeAlone(Sealed p) throws IOException {
    if (p.direct() != null) {
      p.direct().close();
      if (writeFailure.get() != null) {
        // a segment of it never reached the device: it must not become a pack
        p.channel().close();
        Files.deleteIfExists(p.tmp());
        return;
      }
      // the last segment was padded to the alignment
      p.channel().truncate(p.size());
    }
    p.channel().close();
    String name = p.tmp().getFileName().toString();
    Path target = repo.root().resolve("packs").resolve(name.substring(0, 2)).resolve(name);
    Files.createDirectories(target.getParent());
    Durable.move(p.tmp(), target);
    repo.added(target, p.entries());
    for (PackFile.Entry e : p.entries()) {
      pending.remove(HexFormat.of().formatHex(e.digest()));
    }
    index().add(new IndexFile.Pack(name, p.entries()));
    written.accept(target);
  }

  /**
   * The index file to name finished packs in. Not guarded by this: the device thread completes
   * packs while {@link #finish}, holding this, waits for it.
   */
  private IndexBuilder index() {
    synchronized (indexLock) {
      if (index == null) {
        index = repo.newIndex();
      }
      return index;
    }
  }

  /**
   * Commits the index file of the packs this writer finished (nothing when there are none), so that
   * the next reader of the repository finds their chunks without opening each pack. Call after
   * {@link #finish}, for a writer made without an index file to name its packs in.
   */
  public void writeIndex() {
    if (!ownIndex) {
      throw new IllegalStateException("the owner of the index file commits it");
    }
    synchronized (indexLock) {
      if (index != null) {
        index.commit(List.of());
      }
    }
  }

  @Override
  public void close() {
    device.shutdown();
    try {
      device.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Open o : open) {
      o.lock.lock();
      try {
        if (o.channel != null) {
          if (o.direct != null) {
            o.direct.close();
            o.direct = null;
          }
          o.channel.close();
          Files.deleteIfExists(o.tmp);
        }
      } catch (IOException e) {
        // what is left in tmp/ is garbage by definition; the next collection removes it
      } finally {
        o.channel = null;
        o.lock.unlock();
      }
    }
    synchronized (indexLock) {
      if (ownIndex && index != null) {
        index.close(); // uncommitted: its temporary file goes
      }
    }
  }
}
