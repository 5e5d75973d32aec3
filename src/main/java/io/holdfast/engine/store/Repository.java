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
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.crypto.SecretKey;

/**
 * A repository in a directory (docs/repository-format.md): {@code config.json}, chunk blobs under
 * {@code chunks/ab/cd/<digest>}, manifests under {@code manifests/<machine>/<id>.json}.
 * Thread-safe: many threads may put and get chunks at once.
 */
public final class Repository {

  public static final int FORMAT = 1;
  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Path root;
  private final RepositoryConfig config;
  private final ChunkCodec codec;
  private final Fingerprints fingerprints;

  private Repository(Path root, RepositoryConfig config, SecretKey key) {
    this.root = root;
    this.config = config;
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
      Files.createDirectories(root.resolve("chunks"));
      Files.createDirectories(root.resolve("manifests"));
      Files.createDirectories(root.resolve("tmp"));
      SecretKey key = passphrase == null ? null : RepositoryKeys.newDataKey();
      RepositoryConfig cfg =
          new RepositoryConfig(
              FORMAT,
              UUID.randomUUID().toString(),
              Instant.now().toString(),
              chunkSize,
              key == null ? null : RepositoryKeys.wrap(key, passphrase));
      Durable.write(
          root.resolve("config.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
      return new Repository(root, cfg, key);
    } catch (IOException e) {
      throw new EngineException("Cannot create a repository at " + root + ": " + e.getMessage(), e);
    }
  }

  /** Opens a repository; {@code passphrase} is needed only for an encrypted one. */
  public static Repository open(Path root, char[] passphrase) {
    Path cfgFile = root.resolve("config.json");
    if (!Files.exists(cfgFile)) {
      throw new EngineException("No Holdfast repository at " + root + " (no config.json).");
    }
    RepositoryConfig cfg;
    try {
      cfg = JSON.readValue(cfgFile.toFile(), RepositoryConfig.class);
    } catch (IOException e) {
      throw new EngineException("The repository's config.json is damaged: " + e.getMessage(), e);
    }
    if (cfg.format() != FORMAT) {
      throw new EngineException("Repository format " + cfg.format() + " is not supported.");
    }
    SecretKey key = null;
    if (cfg.encryption() != null) {
      if (passphrase == null) {
        throw new EngineException("This repository is encrypted; give its passphrase.");
      }
      key = RepositoryKeys.unwrap(cfg.encryption(), passphrase);
    }
    return new Repository(root, cfg, key);
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

  Path chunkPath(String digest) {
    return root.resolve("chunks")
        .resolve(digest.substring(0, 2))
        .resolve(digest.substring(2, 4))
        .resolve(digest);
  }

  /**
   * Marks an existing chunk as recently used, so that a garbage collection running alongside this
   * backup does not sweep it before the new manifest references it.
   */
  public void touch(String digest) {
    try {
      Files.setLastModifiedTime(chunkPath(digest), FileTime.from(Instant.now()));
    } catch (IOException e) {
      // gone meanwhile: the caller will store it again on the next try
    }
  }

  /**
   * Stores a chunk unless it is there already. Returns the bytes written, 0 when it existed. The
   * blob is written to a temporary name and renamed, so no reader ever sees half a blob.
   */
  public long putChunk(
      String digest, byte[] plain, int len, Compression compression, Consumer<Path> written) {
    Path target = chunkPath(digest);
    if (Files.exists(target)) {
      touch(digest);
      return 0;
    }
    byte[] blob = codec.encode(digest, plain, len, compression);
    try {
      Files.createDirectories(target.getParent());
      Path tmp =
          root.resolve("tmp").resolve(digest + "." + Thread.currentThread().threadId() + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(blob);
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
      Durable.move(tmp, target);
      written.accept(target);
      return blob.length;
    } catch (FileAlreadyExistsException e) {
      return 0;
    } catch (IOException e) {
      throw new EngineException(
          "Cannot write chunk " + digest + " to " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * A chunk's stored blob, unchecked: the blocking half of reading a chunk, for an I/O thread.
   * {@link #decodeChunk} checks it.
   */
  public byte[] readBlob(String digest) {
    try {
      return Files.readAllBytes(chunkPath(digest));
    } catch (NoSuchFileException e) {
      throw new ChunkCorruptException("missing from the repository");
    } catch (IOException e) {
      throw new ChunkCorruptException("unreadable: " + e.getMessage());
    }
  }

  /**
   * Checks a blob {@link #readBlob} returned and writes its plain bytes to the start of {@code out}
   * (at least a chunk long); returns how many.
   */
  public int decodeChunk(String digest, byte[] blob, byte[] out) {
    return codec.decodeInto(digest, blob, out);
  }

  /** Every chunk file, with its digest, size and modification time. */
  public void forEachChunk(Consumer<StoredChunk> action) {
    Path chunks = root.resolve("chunks");
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

  /** Writes a manifest durably and returns it as written, with its digest. */
  public Manifest writeManifest(Manifest m) {
    try {
      ManifestCodec.Sealed sealed = ManifestCodec.seal(m);
      Durable.write(manifestPath(m.machine(), m.id()), sealed.bytes());
      return sealed.manifest();
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
      return ManifestCodec.decode(Files.readAllBytes(ref.path()), ref.machine() + "/" + ref.id());
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
