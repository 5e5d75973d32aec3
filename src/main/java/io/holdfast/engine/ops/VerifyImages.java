package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

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

  /** Verifies the given image ids, or every image when {@code ids} is empty. */
  public Report run(List<String> ids) {
    // what the packs say about themselves, not the index files that cache it
    repo.checkPacksThemselves();
    List<BadManifest> badManifests = new ArrayList<>();
    List<Manifest> manifests = new ArrayList<>();
    for (Repository.ManifestRef ref : repo.listManifests()) {
      if (!ids.isEmpty() && !ids.contains(ref.id())) {
        continue;
      }
      try {
        manifests.add(repo.readManifest(ref));
      } catch (EngineException e) {
        badManifests.add(new BadManifest(ref.machine(), ref.id(), e.getMessage()));
      }
    }
    for (String id : ids) {
      boolean found =
          manifests.stream().anyMatch(m -> m.id().equals(id))
              || badManifests.stream().anyMatch(b -> b.id().equals(id));
      if (!found) {
        throw new EngineException("No image " + id + " in " + repo.root() + ".");
      }
    }
    Map<String, List<String>> users = new LinkedHashMap<>();
    long logical = 0;
    for (Manifest m : manifests) {
      logical += m.logicalBytes();
      for (Manifest.DiskImage d : m.disks()) {
        for (String c : d.chunks()) {
          if (c != null) {
            List<String> u = users.computeIfAbsent(c, k -> new ArrayList<>());
            if (u.isEmpty() || !u.get(u.size() - 1).equals(m.id())) {
              u.add(m.id());
            }
          }
        }
      }
    }
    Map<String, String> problems = new ConcurrentHashMap<>();
    AtomicLong done = new AtomicLong();
    long total = users.size();
    List<String> digests = new ArrayList<>(users.keySet());
    // pack by pack, each from start to end: a cold disk reads ahead instead of seeking
    digests.sort(Comparator.comparingLong(repo::readOrder));
    int largest = manifests.stream().mapToInt(Manifest::chunkSize).max().orElse(0);
    ThreadLocal<byte[]> plain = ThreadLocal.withInitial(() -> new byte[largest]);
    try (ChunkPool pool =
        new ChunkPool(ChunkPool.defaultThreads(), ChunkPool.ioThreads(), largest, cancel)) {
      for (int i = 0; i < digests.size(); i++) {
        String d = digests.get(i);
        pool.<byte[]>submit(
            i,
            index -> {
              try {
                return repo.readBlob(d);
              } catch (EngineException e) {
                problems.put(d, e.getMessage());
                return null;
              }
            },
            (index, blob) -> {
              if (blob != null) {
                try {
                  repo.decodeChunk(d, blob, plain.get());
                } catch (EngineException e) {
                  problems.put(d, e.getMessage());
                }
              }
              progress.update("verifying", done.incrementAndGet(), total);
            });
      }
      pool.await();
    }
    List<BadChunk> bad = new ArrayList<>();
    TreeSet<String> damaged = new TreeSet<>();
    for (String d : digests) {
      String p = problems.get(d);
      if (p != null) {
        bad.add(new BadChunk(d, p, Collections.unmodifiableList(users.get(d))));
        damaged.addAll(users.get(d));
      }
    }
    badManifests.forEach(b -> damaged.add(b.id()));
    return new Report(
        manifests.size() + badManifests.size(),
        digests.size(),
        logical,
        List.copyOf(bad),
        List.copyOf(badManifests),
        List.copyOf(damaged));
  }
}
