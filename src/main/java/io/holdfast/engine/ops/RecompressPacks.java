package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.ChunkCodec;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.store.Durable;
import io.holdfast.engine.store.IndexBuilder;
import io.holdfast.engine.store.PackWriter;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compresses stored chunks again at a stronger zstd level, for a repository whose backups ran at
 * the fast level: a backup's time goes to hashing and compressing, and a stronger level at backup
 * time costs far more of it than it saves (docs/decisions/2026-12-01-recompression.md). Packs whose
 * header records a level below the target are read, every chunk in them is checked (CRC32C,
 * decryption, decompression, SHA-256) and encoded anew (a blob already at the target is copied as
 * it is), the new packs are made durable, an index file names them, and only then are the old packs
 * deleted. Chunks keep their digests, so no manifest changes; a restore or verify running alongside
 * finds a moved chunk by reading the packs' index again, as after a garbage collection, and a
 * backup running alongside loses nothing (a chunk it reuses is in the old pack or the new one). A
 * collection and a recompression never run at once: both take the repository's maintenance lock.
 *
 * <p>A pack with a damaged chunk is left as it is and named in the report. Cancelling (or reaching
 * the byte budget) keeps what is done: the packs completed so far are replaced, the others stay.
 */
public final class RecompressPacks {

  /**
   * What a recompression did (or, in a dry run, would do).
   *
   * @param packsRewritten packs replaced by new ones (that would be, in a dry run)
   * @param chunksRecompressed chunks encoded anew at the target level
   * @param chunksCopied chunks copied as they were (already at the target level)
   * @param bytesBefore bytes the rewritten packs' chunks took (all candidates', in a dry run)
   * @param bytesAfter bytes the same chunks take now (0 in a dry run)
   * @param packsLeft packs below the target left for a later run (the byte budget was reached)
   * @param problems damaged packs or chunks that were left alone, one line each
   */
  public record Report(
      long packsRewritten,
      long chunksRecompressed,
      long chunksCopied,
      long bytesBefore,
      long bytesAfter,
      long packsLeft,
      List<String> problems,
      boolean dryRun) {}

  private final Repository repo;
  private final Progress progress;
  private final Cancellation cancel;

  public RecompressPacks(Repository repo, Progress progress, Cancellation cancel) {
    this.repo = repo;
    this.progress = progress;
    this.cancel = cancel;
  }

  /**
   * @param target the level to reach; {@link Compression#NONE} is refused
   * @param budget stored bytes of packs to take on in this run, oldest packs first; the pack that
   *     crosses the budget is still taken ({@link Long#MAX_VALUE}: every pack below the target)
   */
  public Report run(Compression target, long budget, boolean dryRun) {
    if (target == Compression.NONE) {
      throw new EngineException(
          "Recompression needs a level to compress with: fast, balanced, strong or max.");
    }
    if (budget <= 0) {
      throw new EngineException("The byte budget of a recompression must be positive.");
    }
    // a dry run changes nothing and takes no lock
    try (Repository.MaintenanceLock lock = dryRun ? null : repo.lockMaintenance("recompression")) {
      return recompress(target, budget, dryRun);
    }
  }

  private Report recompress(Compression target, long budget, boolean dryRun) {
    // listed before the packs are: an index file written after this names packs written after it
    List<Path> oldIndexes = repo.indexFiles();
    List<Repository.StoredPack> below = new ArrayList<>();
    List<Repository.StoredPack> stay = new ArrayList<>();
    List<Path> damaged = new ArrayList<>();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    repo.forEachPack(
        p -> (p.level() < target.zstdLevel() ? below : stay).add(p),
        d -> {
          damaged.add(d.path());
          problems.add(d.leftAlone());
        });
    below.sort(
        Comparator.comparing(Repository.StoredPack::modified)
            .thenComparing(Repository.StoredPack::path));
    List<Repository.StoredPack> taken = new ArrayList<>();
    long takenBytes = 0;
    for (Repository.StoredPack p : below) {
      if (takenBytes >= budget) {
        stay.add(p);
      } else {
        taken.add(p);
        takenBytes += p.bytes();
      }
    }
    long packsLeft = below.size() - taken.size();
    if (taken.isEmpty()) {
      // every pack is at the target already: not even the index files change
      return new Report(0, 0, 0, 0, 0, 0, List.copyOf(problems), dryRun);
    }
    if (dryRun) {
      long chunkBytes =
          taken.stream()
              .flatMap(p -> p.chunks().stream())
              .mapToLong(Repository.PackedChunk::length)
              .sum();
      return new Report(taken.size(), 0, 0, chunkBytes, 0, packsLeft, List.copyOf(problems), true);
    }
    Work w = new Work(taken);
    boolean cancelled = false;
    try (IndexBuilder index = repo.newIndex()) {
      ConcurrentLinkedQueue<Path> written = new ConcurrentLinkedQueue<>();
      try (PackWriter writer = repo.writer(target, written::add, index)) {
        try (ChunkPool pool = new ChunkPool(ChunkPool.defaultThreads(), cancel)) {
          pool.forEach(w.items.size(), i -> w.move(w.items.get((int) i), target, writer, problems));
          pool.await();
        } catch (Cancelled c) {
          cancelled = true; // what is done so far is kept below
        }
        writer.finish();
        Durable.syncWritten(repo.root(), written); // the writer named its packs in index
      }
      stay.forEach(index::add);
      Set<Path> dirs = new LinkedHashSet<>();
      for (int p = 0; p < taken.size(); p++) {
        Repository.StoredPack pack = taken.get(p);
        if (w.completed(p)) {
          deleteFile(pack.path());
          dirs.add(pack.path().getParent());
        } else {
          index.add(pack); // cancelled or damaged: it stays as it was
        }
      }
      for (Path d : dirs) {
        Durable.syncDirectory(d);
      }
      // an old index file may be all that still locates a damaged pack's chunks: it stays
      index.commit(damaged.isEmpty() ? oldIndexes : List.of());
    } catch (IOException e) {
      throw new EngineException(
          "Cannot make recompressed packs durable; nothing was deleted: " + e.getMessage(), e);
    }
    if (cancelled) {
      throw new Cancelled();
    }
    long rewritten = 0;
    for (int p = 0; p < taken.size(); p++) {
      rewritten += w.completed(p) ? 1 : 0;
    }
    return new Report(
        rewritten,
        w.recompressed.get(),
        w.copied.get(),
        w.before.get(),
        w.after.get(),
        packsLeft,
        List.copyOf(problems),
        false);
  }

  /** One chunk to move: the pack it is in (by position in the list taken) and where. */
  private record Item(int pack, Repository.PackedChunk chunk) {}

  /** The chunks of the packs taken, and how far each pack is. */
  private final class Work {
    final List<Repository.StoredPack> packs;
    final List<Item> items = new ArrayList<>();
    final AtomicInteger[] left;
    final AtomicBoolean[] failed;
    final AtomicLong recompressed = new AtomicLong();
    final AtomicLong copied = new AtomicLong();
    final AtomicLong before = new AtomicLong();
    final AtomicLong after = new AtomicLong();
    final AtomicLong done = new AtomicLong();
    final long total;
    final ThreadLocal<byte[]> plain;

    Work(List<Repository.StoredPack> packs) {
      this.packs = packs;
      left = new AtomicInteger[packs.size()];
      failed = new AtomicBoolean[packs.size()];
      long bytes = 0;
      for (int p = 0; p < packs.size(); p++) {
        left[p] = new AtomicInteger(packs.get(p).chunks().size());
        failed[p] = new AtomicBoolean();
        for (Repository.PackedChunk c : packs.get(p).chunks()) {
          items.add(new Item(p, c));
          bytes += c.length();
        }
      }
      total = bytes;
      int chunkSize = repo.chunkSize();
      plain = ThreadLocal.withInitial(() -> new byte[chunkSize]);
    }

    /** Moves one chunk into {@code writer}: checked, and encoded anew unless at the target. */
    void move(Item it, Compression target, PackWriter writer, List<String> problems) {
      try {
        if (!failed[it.pack()].get()) {
          moveChecked(it, target, writer, problems);
        }
      } finally {
        left[it.pack()].decrementAndGet();
        progress.update("recompressing", done.addAndGet(it.chunk().length()), total);
      }
    }

    private void moveChecked(
        Item it, Compression target, PackWriter writer, List<String> problems) {
      Repository.StoredPack pack = packs.get(it.pack());
      Repository.PackedChunk c = it.chunk();
      byte[] buf = plain.get();
      byte[] blob;
      int n;
      try {
        blob = repo.readBlob(pack.path(), c.offset(), c.length());
        n = repo.decodeChunk(c.digest(), blob, buf);
      } catch (IOException | EngineException e) {
        if (failed[it.pack()].compareAndSet(false, true)) {
          problems.add(
              "Pack "
                  + pack.path().getFileName()
                  + " was left as it is: chunk "
                  + c.digest()
                  + ": "
                  + e.getMessage()
                  + ". Run verify to see which images need it.");
        }
        return;
      }
      before.addAndGet(blob.length);
      if (ChunkCodec.level(blob) >= target.zstdLevel()) {
        repo.copyBlob(writer, c.digest(), blob);
        after.addAndGet(blob.length);
        copied.incrementAndGet();
      } else {
        after.addAndGet(writer.putAgain(c.digest(), buf, n));
        recompressed.incrementAndGet();
      }
    }

    /** Whether every chunk of pack {@code p} is in a new pack. */
    boolean completed(int p) {
      return left[p].get() == 0 && !failed[p].get();
    }
  }

  private static void deleteFile(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new EngineException("Cannot delete " + p + ": " + e.getMessage(), e);
    }
  }
}
