package io.holdfast.engine.store;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.Compression;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Stores a backup's new chunks in pack files of about {@link #TARGET} bytes. Many threads may put
 * chunks at once: each encodes its blob on its own, and only the append to the open pack is
 * serialized. {@link #finish} completes the last pack; every finished pack is handed to {@code
 * written}, whose owner makes it durable before any manifest names its chunks. {@link #close}
 * without {@link #finish} discards the unfinished pack.
 */
public final class PackWriter implements AutoCloseable {

  /** A pack is finished once it holds this many bytes of blobs. */
  static final long TARGET = 16L << 20;

  private final Repository repo;
  private final Consumer<Path> written;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Set<Path> touched = ConcurrentHashMap.newKeySet();

  // the open pack; guarded by this
  private FileChannel channel;
  private Path tmp;
  private long position;
  private List<PackFile.Entry> entries;
  private final List<IndexFile.Pack> finished = new ArrayList<>(); // guarded by this

  PackWriter(Repository repo, Consumer<Path> written) {
    this.repo = repo;
    this.written = written;
  }

  /**
   * Stores a chunk unless the repository or this writer has it already. Returns the bytes written,
   * 0 when it existed (its pack is then marked as recently used, once per backup, so that a garbage
   * collection running alongside does not remove it before this backup's manifest names it).
   */
  public long put(String digest, byte[] plain, int len, Compression compression) {
    byte[] raw = HexFormat.of().parseHex(digest);
    if (repo.holds(raw, digest, touched) || !pending.add(digest)) {
      return 0;
    }
    byte[] blob = repo.codec().encode(digest, plain, len, compression);
    append(raw, blob);
    return blob.length;
  }

  /** Appends a blob that was already checked, as it is: garbage collection moving live chunks. */
  void putBlob(byte[] rawDigest, byte[] blob) {
    append(rawDigest, blob);
  }

  private synchronized void append(byte[] digest, byte[] blob) {
    try {
      if (channel == null) {
        open();
      }
      writeAt(ByteBuffer.wrap(blob), position);
      entries.add(new PackFile.Entry(digest, position, blob.length));
      position += blob.length;
      if (position >= TARGET) {
        seal();
      }
    } catch (IOException e) {
      throw new EngineException("Cannot write a pack to " + repo.root() + ": " + e.getMessage(), e);
    }
  }

  /** Completes the open pack, if any. */
  public synchronized void finish() {
    try {
      if (channel != null) {
        seal();
      }
    } catch (IOException e) {
      throw new EngineException(
          "Cannot complete a pack in " + repo.root() + ": " + e.getMessage(), e);
    }
  }

  private void open() throws IOException {
    String id = UUID.randomUUID().toString().replace("-", "");
    tmp = repo.root().resolve("tmp").resolve(id + ".pack");
    Files.createDirectories(tmp.getParent());
    channel =
        FileChannel.open(
            tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
    entries = new ArrayList<>();
    position = 0;
    position += writeAt(PackFile.header(), 0);
  }

  private void seal() throws IOException {
    writeAt(PackFile.indexAndTrailer(entries, position), position);
    channel.close();
    channel = null;
    String name = tmp.getFileName().toString();
    Path target = repo.root().resolve("packs").resolve(name.substring(0, 2)).resolve(name);
    Files.createDirectories(target.getParent());
    Durable.move(tmp, target);
    repo.added(target, entries);
    finished.add(new IndexFile.Pack(name, List.copyOf(entries)));
    written.accept(target);
  }

  /**
   * Writes an index file for the packs this writer finished (nothing when there are none), so that
   * the next reader of the repository finds their chunks without opening each pack. Call after
   * {@link #finish}.
   */
  public synchronized void writeIndex() {
    if (!finished.isEmpty()) {
      repo.writeIndex(finished);
    }
  }

  /** The packs this writer finished, as an index file lists them. */
  synchronized List<IndexFile.Pack> finished() {
    return List.copyOf(finished);
  }

  private int writeAt(ByteBuffer b, long at) throws IOException {
    int n = b.remaining();
    while (b.hasRemaining()) {
      channel.write(b, at + n - b.remaining());
    }
    return n;
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // what is left in tmp/ is garbage by definition; the next collection removes it
      }
      channel = null;
    }
  }
}
