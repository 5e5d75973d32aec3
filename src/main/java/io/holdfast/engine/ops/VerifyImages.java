package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.DigestSet;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
            WINDOW_READS,
            // 32 windows in flight keep four reads and both cores busy; more only add heap
            Math.max(largest, (int) (ChunkPool.IN_FLIGHT_BYTES / 32)),
            cancel)) {
      Checks checks = new Checks(pool, problems, largest, total);
      // pack by pack, each from start to end in windows of neighbouring blobs, one read each
      repo.forEachPack(
          pack -> {
            List<Repository.PackedChunk> inOrder = new ArrayList<>(pack.chunks());
            inOrder.sort(Comparator.comparingLong(Repository.PackedChunk::offset));
            List<Repository.PackedChunk> window = new ArrayList<>();
            for (Repository.PackedChunk c : inOrder) {
              if (!wanted.claim(c.digest())) {
                continue;
              }
              if (!window.isEmpty() && !fits(window, c)) {
                checks.window(pack.path(), window);
                window = new ArrayList<>();
              }
              window.add(c);
            }
            if (!window.isEmpty()) {
              checks.window(pack.path(), window);
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

  /**
   * What one read of a pack takes at most; a larger blob is read alone. Below half a G1 region (1
   * MiB for a worker's heap), so that a window is an ordinary object: 1 MiB windows were as fast
   * but each one took a humongous region, and a resident worker's heap grew to its limit (284 MiB).
   */
  static final int WINDOW_BYTES = 480 << 10;

  /** Unwanted bytes between two wanted blobs that are still read rather than skipped. */
  static final int WINDOW_GAP = 256 << 10;

  /**
   * Window reads at once. Verifying the bench repository (1.35 GB of packs) with caches dropped, in
   * a fresh JVM with the worker's heap: 5.95 s and 210 MiB resident reading each blob alone,
   * sixteen at once; 4.5–4.9 s and 160–195 MiB reading these windows four at once, with half the
   * kernel time. fio on this machine's disk: 0.45 GB/s in 128 KiB reads sixteen deep, 1.2 GB/s in 8
   * MiB reads four deep.
   */
  static final int WINDOW_READS = 4;

  private static boolean fits(List<Repository.PackedChunk> window, Repository.PackedChunk next) {
    Repository.PackedChunk first = window.getFirst();
    Repository.PackedChunk last = window.getLast();
    long lastEnd = last.offset() + last.length();
    return next.offset() >= lastEnd
        && next.offset() - lastEnd <= WINDOW_GAP
        && next.offset() + next.length() - first.offset() <= WINDOW_BYTES;
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
    void window(Path pack, List<Repository.PackedChunk> window) {
      claimed += window.size();
      long from = window.getFirst().offset();
      Repository.PackedChunk last = window.getLast();
      int span = (int) (last.offset() + last.length() - from);
      pool.<byte[]>submit(
          submitted++,
          index -> {
            try {
              return repo.readPackSpan(pack, from, span);
            } catch (IOException e) {
              return null;
            }
          },
          (index, bytes) -> {
            for (Repository.PackedChunk c : window) {
              int at = (int) (c.offset() - from);
              check(
                  c.digest(),
                  () ->
                      bytes != null
                          ? Arrays.copyOfRange(bytes, at, at + c.length())
                          : repo.readBlob(c.digest()));
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
