package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.DigestSet;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Re-reads every chunk the chosen images reference: header, CRC, decryption, decompression and
 * hash. Goes through everything and reports every bad chunk with every image that uses it.
 */
public final class VerifyImages {

  /** A chunk that failed, and the images (of those checked) that need it. */
  public record BadChunk(String digest, String problem, List<String> images) {}

  /** A manifest that could not be read at all. */
  public record BadManifest(String machine, String id, String problem) {}

  public record Report(
      int imagesChecked,
      long chunksChecked,
      long logicalBytes,
      List<BadChunk> badChunks,
      List<BadManifest> badManifests,
      List<String> damagedImages) {

    public boolean ok() {
      return badChunks.isEmpty() && badManifests.isEmpty();
    }
  }

  private final Repository repo;
  private final Progress progress;
  private final Cancellation cancel;

  public VerifyImages(Repository repo, Progress progress, Cancellation cancel) {
    this.repo = repo;
    this.progress = progress;
    this.cancel = cancel;
  }

  /**
   * Verifies the given image ids, or every image when {@code ids} is empty.
   *
   * <p>Memory follows the distinct chunks to check, not the images: manifests are read one at a
   * time into a {@link DigestSet} (under 100 bytes a chunk), and read again only to name the images
   * that use a bad chunk, or to find chunks that no pack holds.
   */
  public Report run(List<String> ids) {
    // what the packs say about themselves, not the index files that cache it
    repo.checkPacksThemselves();
    List<BadManifest> badManifests = new ArrayList<>();
    List<Repository.ManifestRef> readable = new ArrayList<>();
    DigestSet wanted = new DigestSet();
    long logical = 0;
    int largest = 0;
    for (Repository.ManifestRef ref : repo.listManifests()) {
      if (!ids.isEmpty() && !ids.contains(ref.id())) {
        continue;
      }
      Manifest m;
      try {
        m = repo.readManifest(ref);
      } catch (EngineException e) {
        badManifests.add(new BadManifest(ref.machine(), ref.id(), e.getMessage()));
        continue;
      }
      readable.add(ref);
      logical += m.logicalBytes();
      largest = Math.max(largest, m.chunkSize());
      forEachChunk(m, wanted::add);
    }
    for (String id : ids) {
      boolean found =
          readable.stream().anyMatch(r -> r.id().equals(id))
              || badManifests.stream().anyMatch(b -> b.id().equals(id));
      if (!found) {
        throw new EngineException("No image " + id + " in " + repo.root() + ".");
      }
    }
    Map<String, String> problems = new ConcurrentHashMap<>();
    long total = wanted.size();
    try (ChunkPool pool =
        new ChunkPool(
            ChunkPool.defaultThreads(),
            PackWindow.READS,
            // 32 windows in flight keep four reads and both cores busy; more only add heap
            Math.max(largest, (int) (ChunkPool.IN_FLIGHT_BYTES / 32)),
            cancel)) {
      Checks checks = new Checks(pool, problems, largest, total);
      // pack by pack, each from start to end in windows of neighbouring blobs, one read each
      repo.forEachPack(
          pack -> {
            List<Repository.PackedChunk> inOrder = new ArrayList<>(pack.chunks());
            inOrder.sort(Comparator.comparingLong(Repository.PackedChunk::offset));
            PackWindow<String> window = new PackWindow<>();
            for (Repository.PackedChunk c : inOrder) {
              if (!wanted.claim(c.digest())) {
                continue;
              }
              if (!window.accepts(pack.path(), c.offset(), c.length(), Integer.MAX_VALUE)) {
                checks.window(window);
                window = new PackWindow<>();
              }
              window.add(c.digest(), pack.path(), c.offset(), c.length());
            }
            if (!window.isEmpty()) {
              checks.window(window);
            }
          },
          damaged -> {});
      if (checks.claimed < total) {
        // chunks no pack holds: a chunk file each in a format 1 repository, or missing
        forEachReadable(
            readable,
            m ->
                forEachChunk(
                    m,
                    d -> {
                      if (wanted.claim(d)) {
                        checks.chunk(d);
                      }
                    }));
      }
      pool.await();
    }
    // each bad chunk with the images that use it, in the order the images name them
    Map<String, List<String>> users = new LinkedHashMap<>();
    if (!problems.isEmpty()) {
      forEachReadable(
          readable,
          m ->
              forEachChunk(
                  m,
                  d -> {
                    if (problems.containsKey(d)) {
                      List<String> u = users.computeIfAbsent(d, k -> new ArrayList<>());
                      if (u.isEmpty() || !u.getLast().equals(m.id())) {
                        u.add(m.id());
                      }
                    }
                  }));
    }
    List<BadChunk> bad = new ArrayList<>();
    TreeSet<String> damaged = new TreeSet<>();
    users.forEach(
        (d, images) -> {
          bad.add(new BadChunk(d, problems.get(d), Collections.unmodifiableList(images)));
          damaged.addAll(images);
        });
    badManifests.forEach(b -> damaged.add(b.id()));
    return new Report(
        readable.size() + badManifests.size(),
        total,
        logical,
        List.copyOf(bad),
        List.copyOf(badManifests),
        List.copyOf(damaged));
  }

  /** The checks handed to the pool, each chunk's outcome and the progress they make. */
  private final class Checks {
    private final ChunkPool pool;
    private final Map<String, String> problems;
    private final ThreadLocal<byte[]> buffers;
    private final AtomicLong done = new AtomicLong();
    private final long total;
    private long submitted;

    /** Chunks handed to the pool so far, in windows or alone (the pool's work items are fewer). */
    long claimed;

    Checks(ChunkPool pool, Map<String, String> problems, int chunkBytes, long total) {
      this.pool = pool;
      this.problems = problems;
      this.buffers = ThreadLocal.withInitial(() -> new byte[chunkBytes]);
      this.total = total;
    }

    /** One chunk, read on its own. */
    void chunk(String d) {
      claimed++;
      pool.<byte[]>submit(
          submitted++,
          index -> {
            try {
              return repo.readBlob(d);
            } catch (EngineException e) {
              problems.put(d, e.getMessage());
              return null;
            }
          },
          (index, blob) -> check(d, () -> blob));
    }

    /**
     * Neighbouring blobs of a pack, read in one piece and checked each. If the read fails (a
     * garbage collection moved the pack meanwhile, say), each chunk is read on its own, which finds
     * moved chunks and names what is missing.
     */
    void window(PackWindow<String> window) {
      claimed += window.blobs().size();
      pool.<byte[]>submit(
          submitted++,
          index -> {
            try {
              return repo.readPackSpan(window.pack(), window.from(), window.span());
            } catch (IOException e) {
              return null;
            }
          },
          (index, bytes) -> {
            for (PackWindow.Blob<String> b : window.blobs()) {
              check(
                  b.item(), () -> bytes != null ? window.slice(bytes, b) : repo.readBlob(b.item()));
            }
          });
    }

    /** Decodes and checks a blob (none: its read already failed), noting what is wrong. */
    private void check(String d, java.util.function.Supplier<byte[]> blob) {
      try {
        byte[] b = blob.get();
        if (b != null) {
          repo.decodeChunk(d, b, buffers.get());
        }
      } catch (EngineException e) {
        problems.put(d, e.getMessage());
      }
      progress.update("verifying", done.incrementAndGet(), total);
    }
  }

  private static void forEachChunk(Manifest m, Consumer<String> action) {
    for (Manifest.DiskImage d : m.disks()) {
      for (String c : d.chunks()) {
        if (c != null) {
          action.accept(c);
        }
      }
    }
  }

  /** The manifests read once already, again; one removed meanwhile (a prune) is passed over. */
  private void forEachReadable(List<Repository.ManifestRef> refs, Consumer<Manifest> action) {
    for (Repository.ManifestRef ref : refs) {
      Manifest m;
      try {
        m = repo.readManifest(ref);
      } catch (EngineException gone) {
        continue;
      }
      action.accept(m);
    }
  }
}
