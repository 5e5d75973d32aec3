package io.holdfast.engine.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.ChunkCodec;
import io.holdfast.engine.chunk.ChunkCorruptException;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.chunk.Fingerprints;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.manifest.ManifestCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.SecretKey;

/**
 * A repository in a directory (docs/repository-format.md): {@code config.json}, chunk blobs in pack
 * files under {@code packs/ab/<id>.pack}, manifests under {@code manifests/<machine>/<id>.json}.
 * Thread-safe: many threads may put and get chunks at once. The packs' index is read on first use;
 * packs other processes write later are seen by a new {@code Repository} object.
 */
public final class Repository {

  /** Format 2 stores chunks in packs; format 1 repositories (one file per chunk) still open. */
  public static final int FORMAT = 2;

  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;
  private static final java.time.format.DateTimeFormatter ID_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
          .withZone(java.time.ZoneOffset.UTC);
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Path root;
  private final RepositoryConfig config;
  private final SecretKey key; // null when not encrypted
  // the id of the key slot the passphrase opened; null when not encrypted
  private volatile String openedSlot;
  private final ChunkCodec codec;
  private final Fingerprints fingerprints;
  private Packs packs; // guarded by this
  private long scannedAt; // guarded by this
  private long scans; // guarded by this
  private boolean packsThemselves; // guarded by this
  private volatile Boolean loose;
  private final PackReads reads = new PackReads();

  private Repository(Path root, RepositoryConfig config, SecretKey key, String openedSlot) {
    this.root = root;
    this.config = config;
    this.key = key;
    this.openedSlot = openedSlot;
    this.codec = new ChunkCodec(key);
    this.fingerprints =
        Fingerprints.forRepository(config.id(), key == null ? null : key.getEncoded());
  }

  /** Creates a repository in an empty or missing directory. */
  public static Repository init(Path root, int chunkSize, char[] passphrase) {
    if (chunkSize < 64 * 1024 || chunkSize > 16 << 20 || Integer.bitCount(chunkSize) != 1) {
      throw new EngineException("Chunk size must be a power of two from 64 KiB to 16 MiB.");
    }
    try {
      if (Files.exists(root.resolve("config.json"))) {
        throw new EngineException("There is already a repository at " + root + ".");
      }
      if (Files.isDirectory(root)) {
        try (Stream<Path> s = Files.list(root)) {
          if (s.findAny().isPresent()) {
            throw new EngineException(root + " is not empty; choose an empty folder.");
          }
        }
      }
      Files.createDirectories(root.resolve("packs"));
      Files.createDirectories(root.resolve("manifests"));
      Files.createDirectories(root.resolve("tmp"));
      SecretKey key = passphrase == null ? null : RepositoryKeys.newDataKey();
      RepositoryConfig cfg =
          new RepositoryConfig(
              FORMAT,
              UUID.randomUUID().toString(),
              Instant.now().toString(),
              chunkSize,
              key == null ? null : RepositoryKeys.wrap(key, passphrase, null),
              null);
      Durable.write(
          root.resolve("config.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
      return new Repository(
          root, cfg, key, key == null ? null : RepositoryKeys.slotId(cfg.encryption()));
    } catch (IOException e) {
      throw new EngineException("Cannot create a repository at " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * The passphrase of encrypted repositories, as the worker and the command line take it: the
   * content of {@code file} (trimmed) when one is given, else HOLDFAST_REPO_PASSPHRASE; null when
   * neither gives one.
   */
  public static char[] passphrase(Path file) {
    return passphrase(file, "HOLDFAST_REPO_PASSPHRASE");
  }

  /** A passphrase from {@code file} (trimmed), else from the environment variable; or null. */
  public static char[] passphrase(Path file, String variable) {
    String value = System.getenv(variable);
    if (file != null) {
      try {
        value = Files.readString(file).strip();
      } catch (IOException e) {
        throw new EngineException(
            "Cannot read the passphrase file " + file + ": " + e.getMessage());
      }
    }
    return value == null || value.isEmpty() ? null : value.toCharArray();
  }

  /** Whether the repository at {@code root} is encrypted; false when there is none there. */
  public static boolean isEncrypted(Path root) {
    return Files.exists(root.resolve("config.json")) && readConfig(root).encryption() != null;
  }

  private static RepositoryConfig readConfig(Path root) {
    try {
      return JSON.readValue(root.resolve("config.json").toFile(), RepositoryConfig.class);
    } catch (IOException e) {
      throw new EngineException("The repository's config.json is damaged: " + e.getMessage(), e);
    }
  }

  /** Opens a repository; {@code passphrase} is needed only for an encrypted one. */
  public static Repository open(Path root, char[] passphrase) {
    Path cfgFile = root.resolve("config.json");
    if (!Files.exists(cfgFile)) {
      throw new EngineException("No Holdfast repository at " + root + " (no config.json).");
    }
    RepositoryConfig cfg = readConfig(root);
    if (cfg.format() != FORMAT && cfg.format() != 1) {
      throw new EngineException("Repository format " + cfg.format() + " is not supported.");
    }
    if (cfg.encryption() == null) {
      return new Repository(root, cfg, null, null);
    }
    if (passphrase == null) {
      throw new EngineException("This repository is encrypted; give its passphrase.");
    }
    RepositoryKeys.Opened opened = RepositoryKeys.unwrapAny(cfg.slots(), passphrase);
    return new Repository(
        root, cfg, opened.key(), RepositoryKeys.slotId(cfg.slots().get(opened.slot())));
  }

  // ---------------------------------------------------------------- key slots

  /**
   * One passphrase of an encrypted repository. Every slot holds the same data key, so each worker
   * can have a passphrase of its own, and a passphrase changes without touching a chunk.
   *
   * @param id first 4 bytes of the slot's salt, in hex
   * @param label what the person who added it called it, or null
   * @param added when the slot got its passphrase, or null when an engine before 0.8 made it
   * @param opened whether this repository was opened with this slot's passphrase
   */
  public record KeySlot(String id, String label, String added, boolean opened) {}

  /** The key slots, as config.json holds them now; empty when the repository is not encrypted. */
  public List<KeySlot> keys() {
    List<RepositoryConfig.Encryption> slots = readConfig(root).slots();
    List<KeySlot> out = new ArrayList<>();
    for (RepositoryConfig.Encryption e : slots) {
      out.add(
          new KeySlot(
              RepositoryKeys.slotId(e),
              e.label(),
              e.added(),
              RepositoryKeys.slotId(e).equals(openedSlot)));
    }
    return out;
  }

  /** Adds a slot: the data key under another passphrase. Returns the new slot. */
  public KeySlot addKey(char[] passphrase, String label) {
    requireEncrypted();
    RepositoryConfig.Encryption added = RepositoryKeys.wrap(key, passphrase, label);
    changeSlots(
        "adding a key",
        slots -> {
          slots.add(added);
          return slots;
        });
    return new KeySlot(RepositoryKeys.slotId(added), label, added.added(), false);
  }

  /**
   * Gives the slot this repository was opened with a new passphrase; the old one no longer opens
   * it. Workers that are running keep the data key they hold.
   */
  public void changePassphrase(char[] passphrase) {
    String mine = requireEncrypted();
    RepositoryConfig.Encryption[] changed = {null};
    changeSlots(
        "changing the passphrase",
        slots -> {
          int i = indexOf(slots, mine);
          if (i < 0) {
            throw new EngineException(
                "The key this repository was opened with was removed meanwhile; nothing changed.");
          }
          changed[0] = RepositoryKeys.wrap(key, passphrase, slots.get(i).label());
          slots.set(i, changed[0]);
          return slots;
        });
    openedSlot = RepositoryKeys.slotId(changed[0]);
  }

  /**
   * Removes a slot, so its passphrase no longer opens the repository. Never the slot this
   * repository was opened with, so nobody locks themselves out.
   */
  public void removeKey(String id) {
    if (requireEncrypted().equals(id)) {
      throw new EngineException(
          "Key "
              + id
              + " is the one you opened the repository with; open it with another key's"
              + " passphrase to remove this one.");
    }
    changeSlots(
        "removing a key",
        slots -> {
          int i = indexOf(slots, id);
          if (i < 0) {
            throw new EngineException(
                "The repository has no key " + id + "; 'image key list' shows its keys.");
          }
          slots.remove(i);
          return slots;
        });
  }

  /** The id of the slot this repository was opened with; throws when it is not encrypted. */
  private String requireEncrypted() {
    if (openedSlot == null) {
      throw new EngineException(
          "This repository is not encrypted; it has no keys. Encryption is chosen when a"
              + " repository is created.");
    }
    return openedSlot;
  }

  private static int indexOf(List<RepositoryConfig.Encryption> slots, String id) {
    for (int i = 0; i < slots.size(); i++) {
      if (RepositoryKeys.slotId(slots.get(i)).equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads config.json again, changes its slots and writes it back crash-safely (a reader sees the
   * old file or the new one), under the maintenance lock so that two key changes never overwrite
   * each other.
   */
  private void changeSlots(
      String what, java.util.function.UnaryOperator<List<RepositoryConfig.Encryption>> change) {
    requireEncrypted();
    try (MaintenanceLock lock = lockMaintenance(what)) {
      RepositoryConfig now = readConfig(root);
      List<RepositoryConfig.Encryption> slots = change.apply(new ArrayList<>(now.slots()));
      Durable.write(
          root.resolve("config.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(now.withSlots(slots)));
    } catch (IOException e) {
      throw new EngineException(
          "Cannot write " + root.resolve("config.json") + ": " + e.getMessage(), e);
    }
  }

  /**
   * Takes the repository's maintenance lock ({@code maintenance.lock}, an OS file lock, so a
   * crashed holder leaves nothing to clean up): garbage collection and recompression both move and
   * delete packs, and one must not delete a pack the other is copying. Backups, restores and
   * verifies never take it. Throws, naming the holder, when another process (or another operation
   * of this one) holds it.
   *
   * @param what the operation, as a person reads it ("garbage collection")
   */
  public MaintenanceLock lockMaintenance(String what) {
    Path file = root.resolve("maintenance.lock");
    FileChannel ch = null;
    try {
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this process already
      }
      if (lock == null) {
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        ch.close();
        throw new EngineException(
            "Another maintenance operation is running on "
                + root
                + (holder.isEmpty() ? "" : " (" + holder + ")")
                + "; run one garbage collection or recompression at a time, and try again once it"
                + " has ended.");
      }
      ch.truncate(0);
      String holder =
          what + ", process " + ProcessHandle.current().pid() + ", since " + Instant.now();
      ch.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      return new MaintenanceLock(ch);
    } catch (IOException e) {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // reported below
        }
      }
      throw new EngineException(
          "Cannot take the maintenance lock " + file + ": " + e.getMessage(), e);
    }
  }

  /** The maintenance lock, held until closed (closing its channel releases the OS lock). */
  public static final class MaintenanceLock implements AutoCloseable {
    private final FileChannel channel;

    private MaintenanceLock(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void close() {
      try {
        channel.truncate(0); // the holder's name goes with the lock
      } catch (IOException e) {
        // a name left in an unlocked file misleads nobody: the next holder overwrites it
      } finally {
        try {
          channel.close();
        } catch (IOException e) {
          // the OS drops the lock with the channel whatever close reports
        }
      }
    }
  }

  public Path root() {
    return root;
  }

  public RepositoryConfig config() {
    return config;
  }

  public int chunkSize() {
    return config.chunkSize();
  }

  /** The change-detection hash of this repository's images. */
  public Fingerprints fingerprints() {
    return fingerprints;
  }

  /** Where a format 1 repository kept a chunk: one file per chunk (read, never written now). */
  Path chunkPath(String digest) {
    return root.resolve("chunks")
        .resolve(digest.substring(0, 2))
        .resolve(digest.substring(2, 4))
        .resolve(digest);
  }

  ChunkCodec codec() {
    return codec;
  }

  /**
   * A writer for a backup's new chunks, compressed as {@code compression} says; see {@link
   * PackWriter}.
   */
  public PackWriter writer(Compression compression, Consumer<Path> written) {
    return new PackWriter(this, compression, compression.zstdLevel(), written, null);
  }

  /**
   * A writer for chunks compressed anew (recompression) whose finished packs are named in {@code
   * index}, which the caller commits.
   */
  public PackWriter writer(Compression compression, Consumer<Path> written, IndexBuilder index) {
    return new PackWriter(this, compression, compression.zstdLevel(), written, index);
  }

  /**
   * A writer for blobs copied as they are (garbage collection moving chunks in use), whose packs
   * record {@code level}: the lowest zstd level any blob copied into them was compressed with, and
   * are named in {@code index}, which the caller commits.
   */
  public PackWriter copyWriter(int level, Consumer<Path> written, IndexBuilder index) {
    return new PackWriter(this, Compression.NONE, level, written, index);
  }

  /** The packs as this repository object last read them, loaded on first use. */
  private Packs packs() {
    synchronized (this) {
      if (packs == null) {
        packs = scanPacks();
        scannedAt = System.nanoTime();
        scans++;
      }
      return packs;
    }
  }

  /**
   * Whether a chunk is stored; if so, marks its pack (or chunk file) as recently used, once per
   * {@code touched} set, so that a garbage collection running alongside this backup does not remove
   * it before the backup's manifest names it.
   */
  boolean holds(byte[] raw, String digest, Set<Path> touched) {
    Path where;
    synchronized (this) {
      Packs p = packs();
      PackIndex.Location loc = p.index.find(raw);
      where = loc == null ? null : p.paths.get(loc.pack());
    }
    if (where == null && hasLooseChunks()) {
      Path loose = chunkPath(digest);
      where = Files.exists(loose) ? loose : null;
    }
    if (where == null) {
      return false;
    }
    if (touched.add(where)) {
      try {
        Files.setLastModifiedTime(where, FileTime.from(Instant.now()));
      } catch (IOException e) {
        // removed meanwhile: store the chunk again
        return false;
      }
    }
    return true;
  }

  /** Records a pack a {@link PackWriter} of this process has just finished. */
  synchronized void added(Path pack, List<PackFile.Entry> entries) {
    Packs p = packs();
    int number = p.paths.size();
    p.paths.add(pack);
    for (PackFile.Entry e : entries) {
      p.index.add(e.digest(), number, e.offset(), e.length());
    }
  }

  private boolean hasLooseChunks() {
    Boolean l = loose;
    if (l == null) {
      try (Stream<Path> s = Files.list(root.resolve("chunks"))) {
        l = s.findAny().isPresent();
      } catch (IOException e) {
        l = false; // no chunks/ directory: a repository created with packs
      }
      loose = l;
    }
    return l;
  }

  /**
   * A chunk's stored blob, unchecked: the blocking half of reading a chunk, for an I/O thread.
   * {@link #decodeChunk} checks it.
   */
  public byte[] readBlob(String digest) {
    byte[] raw = HexFormat.of().parseHex(digest);
    long generation;
    synchronized (this) {
      generation = scans;
    }
    try {
      return readBlob(raw, digest);
    } catch (NoSuchFileException e) {
      // a garbage collection may have moved the chunk to a new pack since the index was read
      if (rescanned(generation)) {
        try {
          return readBlob(raw, digest);
        } catch (NoSuchFileException stillMissing) {
          // reported below
        } catch (IOException other) {
          throw new ChunkCorruptException("unreadable: " + other.getMessage());
        }
      }
      List<DamagedPack> damaged;
      synchronized (this) {
        damaged = packs().damaged;
      }
      throw new ChunkCorruptException(
          "missing from the repository"
              + (damaged.isEmpty()
                  ? ""
                  : " (" + damaged.size() + " damaged pack(s) may have held it; see verify)"));
    } catch (IOException e) {
      throw new ChunkCorruptException("unreadable: " + e.getMessage());
    }
  }

  /** Where a pack holds a chunk's blob, as this repository object last read the packs. */
  public record BlobAt(Path pack, long offset, int length) {}

  /**
   * Where a chunk's blob is, or null when no pack holds it (a chunk file of a format 1 repository,
   * or missing: {@link #readBlob(String)} tells which). Restore plans its reads of neighbouring
   * blobs with it; a read that fails because a collection moved the pack falls back to {@link
   * #readBlob(String)}.
   */
  public BlobAt locate(String digest) {
    return locate(HexFormat.of().parseHex(digest));
  }

  private synchronized BlobAt locate(byte[] raw) {
    PackIndex.Location loc = packs().index.find(raw);
    return loc == null ? null : new BlobAt(packs.paths.get(loc.pack()), loc.offset(), loc.length());
  }

  private byte[] readBlob(byte[] raw, String digest) throws IOException {
    BlobAt at = locate(raw);
    if (at != null) {
      return reads.read(at.pack(), at.offset(), at.length());
    }
    if (hasLooseChunks()) {
      return Files.readAllBytes(chunkPath(digest));
    }
    throw new NoSuchFileException(digest);
  }

  /**
   * Whether the packs' indexes were read again since scan {@code generation}: by another thread
   * meanwhile, or now, at most once a second (so that a damaged repository does not make every
   * missing chunk a rescan).
   */
  private synchronized boolean rescanned(long generation) {
    if (scans != generation) {
      return true;
    }
    if (System.nanoTime() - scannedAt < 1_000_000_000L) {
      return false;
    }
    packs = null;
    packs();
    return true;
  }

  /**
   * Checks a blob {@link #readBlob} returned and writes its plain bytes to the start of {@code out}
   * (at least a chunk long); returns how many.
   */
  public int decodeChunk(String digest, byte[] blob, byte[] out) {
    return codec.decodeInto(digest, blob, out);
  }

  /**
   * {@link #decodeChunk} for a restore: instead of SHA-256 (0.93 GB/s per core here), the plain
   * bytes are checked against {@code fingerprint}, the XXH3-128 the image recorded for this place
   * on the disk (4.5 GB/s). Every other check stays: CRC32C, decryption, decompression, length. A
   * blob of another chunk, or bytes damaged past the CRC, fail it. Without a fingerprint (images of
   * engines before 0.2) the digest is checked.
   */
  public int decodeChunk(String digest, String fingerprint, byte[] blob, byte[] out) {
    if (fingerprint == null) {
      return codec.decodeInto(digest, blob, out);
    }
    int n = codec.decodeUnhashed(digest, blob, out);
    if (!fingerprints.of(out, n).equals(fingerprint)) {
      throw new ChunkCorruptException(
          "content does not match the fingerprint the image recorded for it");
    }
    return n;
  }

  /** A pack whose index cannot be read: its chunks are unknown. */
  public record DamagedPack(Path path, String problem) {

    /** What a maintenance operation that passed over this pack reports. */
    public String leftAlone() {
      return "Pack "
          + path.getFileName()
          + " is damaged ("
          + problem
          + ") and was left alone; run verify to see which images need it.";
    }
  }

  /**
   * A pack file, as found on disk now; {@code level} is the lowest zstd level any of its blobs was
   * compressed with, as its header records it (0: not known, packs before engine 0.5).
   */
  public record StoredPack(
      Path path, long bytes, Instant modified, int level, List<PackedChunk> chunks) {}

  /** A chunk in a pack. */
  public record PackedChunk(String digest, long offset, int length) {}

  /** Every pack on disk now (not as this object loaded them), and those that are damaged. */
  public void forEachPack(Consumer<StoredPack> action, Consumer<DamagedPack> damaged) {
    for (Path f : packFiles()) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        PackFile.Index index = PackFile.readIndex(ch);
        List<PackedChunk> chunks = new ArrayList<>();
        for (PackFile.Entry e : index.entries()) {
          chunks.add(new PackedChunk(HexFormat.of().formatHex(e.digest()), e.offset(), e.length()));
        }
        action.accept(
            new StoredPack(
                f,
                ch.size(),
                Files.getLastModifiedTime(f).toInstant(),
                index.level(),
                List.copyOf(chunks)));
      } catch (NoSuchFileException gone) {
        // removed meanwhile
      } catch (IOException e) {
        damaged.accept(new DamagedPack(f, e.getMessage()));
      }
    }
  }

  /**
   * Bytes {@code [offset, offset + length)} of a pack in one read, past the page cache where the
   * filesystem allows: verify reads neighbouring blobs together, since a cold disk serves a few
   * large reads two to three times faster than many blob-sized ones.
   */
  public byte[] readPackSpan(Path pack, long offset, int length) throws IOException {
    return reads.read(pack, offset, length);
  }

  /** Reads one blob from a pack. */
  public byte[] readBlob(Path pack, long offset, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ)) {
      return PackFile.readAt(ch, offset, length).array();
    }
  }

  /** Copies a blob that was checked to {@code writer}: garbage collection repacking. */
  public void copyBlob(PackWriter writer, String digest, byte[] blob) {
    writer.putBlob(HexFormat.of().parseHex(digest), blob);
  }

  /** How many pack files the repository holds now. */
  public int packCount() {
    return packFiles().size();
  }

  /** The pack files under {@code packs/}, by name only (no file is opened or stat'ed). */
  private List<Path> packFiles() {
    Path dir = root.resolve("packs");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> subdirs = Files.newDirectoryStream(dir)) {
      for (Path sub : subdirs) {
        if (sub.getFileName().toString().length() != 2) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(sub, "*.pack")) {
          files.forEach(found::add);
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException gone) {
          // removed meanwhile, or a stray file
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new EngineException("Cannot list the packs in " + root + ": " + e.getMessage(), e);
    }
    found.sort(Comparator.naturalOrder());
    return found;
  }

  /**
   * The packs' indexes: from the index files for the packs they name, from the packs themselves for
   * the others (and for all of them after {@link #checkPacksThemselves}).
   */
  private Packs scanPacks() {
    Packs p = new Packs(new PackIndex(), new ArrayList<>(), new ArrayList<>());
    List<Path> files = packFiles();
    java.util.Map<String, Path> onDisk = new java.util.HashMap<>();
    for (Path f : files) {
      onDisk.put(f.getFileName().toString(), f);
    }
    Set<String> covered = new java.util.HashSet<>();
    if (!packsThemselves) {
      for (Path idx : indexFiles()) {
        try {
          IndexFile.read(
              idx,
              new IndexFile.Sink() {
                int number;

                @Override
                public boolean pack(String name, int entries) {
                  Path pack = onDisk.get(name);
                  if (pack == null || !covered.add(name)) {
                    return false; // collected since, or indexed twice
                  }
                  number = p.paths.size();
                  p.paths.add(pack);
                  return true;
                }

                @Override
                public void entry(byte[] digest, long offset, int length) {
                  p.index.add(digest, number, offset, length);
                }
              });
        } catch (IOException e) {
          // a cache: damaged, unreadable, or replaced by a collection meanwhile; the packs it
          // would have named are read directly below
        }
      }
    }
    for (Path f : files) {
      if (covered.contains(f.getFileName().toString())) {
        continue;
      }
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        List<PackFile.Entry> entries = PackFile.readIndex(ch).entries();
        int number = p.paths.size();
        p.paths.add(f);
        for (PackFile.Entry e : entries) {
          p.index.add(e.digest(), number, e.offset(), e.length());
        }
      } catch (NoSuchFileException gone) {
        // removed meanwhile
      } catch (IOException e) {
        p.damaged.add(new DamagedPack(f, e.getMessage()));
      }
    }
    return p;
  }

  /**
   * From now on, read every pack's own index rather than the index files: verify does, so that a
   * pack whose trailer is damaged is found even while an index file still names its chunks.
   */
  public synchronized void checkPacksThemselves() {
    if (!packsThemselves) {
      packsThemselves = true;
      packs = null;
    }
  }

  /** The index files, oldest first by name. */
  public List<Path> indexFiles() {
    Path dir = root.resolve("index");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.idx")) {
      files.forEach(found::add);
    } catch (IOException e) {
      throw new EngineException("Cannot list the index files in " + dir + ": " + e.getMessage(), e);
    }
    found.sort(Comparator.naturalOrder());
    return found;
  }

  /** A new index file, to be filled and committed; see {@link IndexBuilder}. */
  public IndexBuilder newIndex() {
    String name =
        ID_TIME.format(Instant.now()) + "-" + UUID.randomUUID().toString().replace("-", "");
    try {
      return new IndexBuilder(
          this,
          root.resolve("tmp").resolve(name + ".idx"),
          root.resolve("index").resolve(name + ".idx"));
    } catch (IOException e) {
      throw new EngineException("Cannot write an index file to " + root + ": " + e.getMessage(), e);
    }
  }

  /** The packs' index: pack numbers are positions in {@code paths}. */
  private record Packs(PackIndex index, List<Path> paths, List<DamagedPack> damaged) {}

  /** Every chunk file of a format 1 repository, with its digest, size and modification time. */
  public void forEachLooseChunk(Consumer<StoredChunk> action) {
    Path chunks = root.resolve("chunks");
    if (!Files.isDirectory(chunks)) {
      return;
    }
    try (Stream<Path> files = Files.walk(chunks, 3)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              f -> {
                String name = f.getFileName().toString();
                try {
                  action.accept(
                      new StoredChunk(
                          Digests.isValid(name) ? name : null,
                          f,
                          Files.size(f),
                          Files.getLastModifiedTime(f).toInstant()));
                } catch (NoSuchFileException gone) {
                  // swept or replaced meanwhile
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      throw new EngineException("Cannot list the chunks in " + root + ": " + e.getMessage(), e);
    }
  }

  /** A chunk file; {@code digest} is null for a stray file whose name is not a digest. */
  public record StoredChunk(String digest, Path path, long bytes, Instant modified) {}

  /** How many distinct chunks the packs (and any chunk files) hold, as this object knows them. */
  public long chunksStored() {
    long[] n = {0};
    synchronized (this) {
      n[0] = packs().index.size();
    }
    forEachLooseChunk(c -> n[0]++);
    return n[0];
  }

  /**
   * Bytes the repository's packs and chunk files take on disk now: what its chunk data costs, as
   * the console shows it after maintenance. Manifests and index files are not counted.
   */
  public long storedBytes() {
    long[] n = {0};
    for (Path f : packFiles()) {
      try {
        n[0] += Files.size(f);
      } catch (NoSuchFileException gone) {
        // removed meanwhile
      } catch (IOException e) {
        throw new EngineException("Cannot read the size of " + f + ": " + e.getMessage(), e);
      }
    }
    forEachLooseChunk(c -> n[0] += c.bytes());
    return n[0];
  }

  /** Writes a manifest durably and returns it as written, with its digest. */
  public Manifest writeManifest(Manifest m) {
    try {
      Manifest sealed = ManifestCodec.digested(m);
      Durable.write(manifestPath(m.machine(), m.id()), out -> ManifestCodec.write(sealed, out));
      return sealed;
    } catch (IOException e) {
      throw new EngineException("Cannot write manifest " + m.id() + ": " + e.getMessage(), e);
    }
  }

  Path manifestPath(String machine, String id) {
    return root.resolve("manifests").resolve(safe(machine)).resolve(id + ".json");
  }

  /** A manifest file found in the repository, not yet parsed. */
  public record ManifestRef(String machine, String id, Path path) {}

  /** All manifest files, oldest first. */
  public List<ManifestRef> listManifests() {
    List<ManifestRef> refs = new ArrayList<>();
    Path dir = root.resolve("manifests");
    try (DirectoryStream<Path> machines = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path m : machines) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(m, "*.json")) {
          for (Path f : files) {
            String name = f.getFileName().toString();
            if (!name.startsWith(".")) {
              refs.add(
                  new ManifestRef(
                      m.getFileName().toString(), name.substring(0, name.length() - 5), f));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new EngineException("Cannot list manifests in " + root + ": " + e.getMessage(), e);
    }
    refs.sort(Comparator.comparing(ManifestRef::id));
    return refs;
  }

  public Manifest readManifest(ManifestRef ref) {
    try {
      return ManifestCodec.read(ref.path(), ref.machine() + "/" + ref.id());
    } catch (IOException e) {
      throw new EngineException("Cannot read manifest " + ref.id() + ": " + e.getMessage(), e);
    }
  }

  /** Finds an image by id (or a unique prefix of one); {@code latest} is the newest image. */
  public Manifest findManifest(String id) {
    if (id.equals("latest")) {
      List<ManifestRef> all = listManifests();
      if (all.isEmpty()) {
        throw new EngineException("The repository at " + root + " holds no images yet.");
      }
      return readManifest(all.get(all.size() - 1));
    }
    List<ManifestRef> hits =
        listManifests().stream().filter(r -> r.id().equals(id) || r.id().startsWith(id)).toList();
    if (hits.isEmpty()) {
      throw new EngineException("No image " + id + " in " + root + ".");
    }
    if (hits.size() > 1 && hits.stream().noneMatch(r -> r.id().equals(id))) {
      throw new EngineException("Image id " + id + " is ambiguous; give more of it.");
    }
    return readManifest(
        hits.stream().filter(r -> r.id().equals(id)).findFirst().orElse(hits.get(0)));
  }

  public void deleteManifest(ManifestRef ref) {
    try {
      Files.deleteIfExists(ref.path());
      Durable.syncDirectory(ref.path().getParent());
    } catch (IOException e) {
      throw new EngineException("Cannot delete manifest " + ref.id() + ": " + e.getMessage(), e);
    }
  }

  static String safe(String machine) {
    if (machine == null || !machine.matches("[A-Za-z0-9._-]{1,128}") || machine.startsWith(".")) {
      throw new EngineException(
          "Machine name '"
              + machine
              + "' must be 1-128 letters, digits, dots, dashes or underscores.");
    }
    return machine;
  }
}
