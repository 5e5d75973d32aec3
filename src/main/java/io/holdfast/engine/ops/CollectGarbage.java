package io.holdfast.engine.ops;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.DigestSet;
import io.holdfast.engine.store.Durable;
import io.holdfast.engine.store.IndexBuilder;
import io.holdfast.engine.store.PackWriter;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

/**
 * Mark and sweep: every chunk some manifest names is kept; other chunks go once their pack is older
 * than the grace period. A pack with no chunk in use is deleted; a pack where unused chunks take at
 * least {@link #REWRITE_UNUSED} of the bytes is rewritten: its chunks in use are checked, copied
 * into a new pack and made durable before the old pack is deleted. The grace period protects packs
 * that a backup running right now has written or reused but whose manifest does not exist yet (a
 * backup marks each pack it reuses as recently used).
 */
public final class CollectGarbage {

  /** Rewrite a pack when unused chunks take at least this share of it; keep it otherwise. */
  static final double REWRITE_UNUSED = 0.2;

  /**
   * What a collection did (or, in a dry run, would do).
   *
   * @param chunksKept chunks in use, left where they are or moved
   * @param chunksDeleted unused chunks removed
   * @param bytesDeleted bytes freed
   * @param chunksSpared unused chunks left in place: their pack is younger than the grace period,
   *     or still mostly in use
   * @param packsDeleted packs removed, rewritten ones included
   * @param packsRewritten packs whose chunks in use were moved to a new pack
   * @param problems damaged packs or chunks that were left alone, one line each
   */
  public record Report(
      long chunksKept,
      long chunksDeleted,
      long bytesDeleted,
      long chunksSpared,
      long packsDeleted,
      long packsRewritten,
      List<String> problems,
      boolean dryRun) {}

  private final Repository repo;
  private final Progress progress;

  public CollectGarbage(Repository repo) {
    this(repo, Progress.NONE);
  }

  /**
   * With progress in three phases: marking (manifests read), sweeping (packs looked at) and
   * rewriting (packs copied); a console that fails jobs without progress sees a long one move.
   */
  public CollectGarbage(Repository repo, Progress progress) {
    this.repo = repo;
    this.progress = progress;
  }

  /**
   * Collects, holding the repository's maintenance lock (a dry run takes none: it changes nothing).
   */
  public Report run(Duration grace, boolean dryRun) {
    try (Repository.MaintenanceLock lock =
        dryRun ? null : repo.lockMaintenance("garbage collection")) {
      return collect(grace, dryRun);
    }
  }

  private Report collect(Duration grace, boolean dryRun) {
    Instant cutoff = Instant.now().minus(grace);
    // listed before the packs are: an index file written after this names packs written after it
    List<Path> oldIndexes = repo.indexFiles();
    DigestSet live = mark();
    Counts n = new Counts();
    List<String> problems = new ArrayList<>();
    sweepLooseChunks(live, cutoff, dryRun, n);

    List<Repository.StoredPack> delete = new ArrayList<>();
    List<Rewrite> rewrite = new ArrayList<>();
    List<Path> damagedPacks = new ArrayList<>();
    long rewritten;
    // the packs that stay as they are go into one new index file as they are seen (memory stays
    // flat however many packs there are); packs rewritten into new ones are added at the end
    // (a dry run writes nothing, not even a temporary file)
    try (IndexBuilder index = dryRun ? null : repo.newIndex()) {
      long packs = repo.packCount();
      long[] seen = {0};
      repo.forEachPack(
          pack -> {
            progress.update("sweeping packs", ++seen[0], Math.max(packs, seen[0] + 1));
            if (!sweep(pack, live, cutoff, n, delete, rewrite) && index != null) {
              index.add(pack);
            }
          },
          damaged -> {
            damagedPacks.add(damaged.path());
            problems.add(damaged.leftAlone());
          });

      if (dryRun) {
        rewritten = rewrite.size();
        rewrite.forEach(r -> delete.add(r.pack()));
      } else {
        ConcurrentLinkedQueue<Path> written = new ConcurrentLinkedQueue<>();
        // its packs hold blobs copied from the packs rewritten: at least the lowest level of those
        int level = rewrite.stream().mapToInt(r -> r.pack().level()).min().orElse(0);
        PackWriter writer = repo.copyWriter(level, written::add, index);
        List<Repository.StoredPack> moved;
        try (writer) {
          moved = rewrite(rewrite, problems, writer, written);
        }
        rewritten = moved.size();
        delete.addAll(moved);
        // the writer named its packs in the new index file; a pack that could not be rewritten
        // stays, is not in it, and is read directly until the next collection names it
        Set<Path> dirs = new LinkedHashSet<>();
        for (Repository.StoredPack p : delete) {
          deleteFile(p.path());
          dirs.add(p.path().getParent());
        }
        for (Path d : dirs) {
          try {
            Durable.syncDirectory(d);
          } catch (IOException e) {
            throw new EngineException(
                "Cannot make deletions in " + d + " durable: " + e.getMessage());
          }
        }
        // an old index file may be all that still locates a damaged pack's chunks: it stays
        index.commit(damagedPacks.isEmpty() ? oldIndexes : List.of());
        sweepTemporaries(cutoff);
      }
    }
    return new Report(
        n.kept,
        n.deleted,
        n.bytes,
        n.spared,
        delete.size(),
        rewritten,
        List.copyOf(problems),
        dryRun);
  }

  /**
   * Decides a pack's fate: stays (false), or goes into {@code delete} or {@code rewrite} (true).
   */
  private static boolean sweep(
      Repository.StoredPack pack,
      DigestSet live,
      Instant cutoff,
      Counts n,
      List<Repository.StoredPack> delete,
      List<Rewrite> rewrite) {
    long unusedBytes = 0;
    List<Repository.PackedChunk> owned = new ArrayList<>();
    for (Repository.PackedChunk c : pack.chunks()) {
      // a chunk stored twice (two backups at once) is kept in the first pack only
      if (live.claim(c.digest())) {
        owned.add(c);
      } else {
        unusedBytes += c.length();
      }
    }
    int inUse = owned.size();
    int unused = pack.chunks().size() - inUse;
    n.kept += inUse;
    if (unused == 0) {
      return false;
    }
    if (pack.modified().isAfter(cutoff)) {
      n.spared += unused;
      return false;
    }
    if (inUse == 0) {
      delete.add(pack);
      n.deleted += unused;
      n.bytes += pack.bytes();
      return true;
    }
    if (unusedBytes >= REWRITE_UNUSED * pack.bytes()) {
      rewrite.add(new Rewrite(pack, owned));
      n.deleted += unused;
      n.bytes += unusedBytes;
      return true;
    }
    n.spared += unused; // until more of the pack is unused
    return false;
  }

  /** A pack to rewrite and the chunks in use it holds (those no earlier pack holds). */
  private record Rewrite(Repository.StoredPack pack, List<Repository.PackedChunk> inUse) {}

  private static final class Counts {
    long kept;
    long deleted;
    long bytes;
    long spared;
  }

  /** Every digest some manifest names; stops if any manifest cannot be read. */
  private DigestSet mark() {
    DigestSet live = new DigestSet();
    List<Repository.ManifestRef> refs = repo.listManifests();
    long read = 0;
    for (Repository.ManifestRef ref : refs) {
      progress.update("marking chunks in use", read++, refs.size());
      Manifest m;
      try {
        m = repo.readManifest(ref);
      } catch (EngineException e) {
        // sweeping now could delete chunks this image needs
        throw new EngineException(
            "Garbage collection stopped before deleting anything: " + e.getMessage());
      }
      for (Manifest.DiskImage d : m.disks()) {
        for (String c : d.chunks()) {
          if (c == null) {
            continue;
          }
          if (!Digests.isValid(c)) {
            throw new EngineException(
                "Garbage collection stopped before deleting anything: image "
                    + m.id()
                    + " names a chunk '"
                    + c
                    + "' that is not a SHA-256 digest.");
          }
          live.add(c);
        }
      }
    }
    return live;
  }

  /**
   * Copies the chunks in use out of {@code packs} into new packs and makes those durable; returns
   * the packs that may now be deleted. A pack with a damaged chunk in use is left as it is.
   */
  private List<Repository.StoredPack> rewrite(
      List<Rewrite> packs,
      List<String> problems,
      PackWriter writer,
      java.util.Collection<Path> written) {
    List<Repository.StoredPack> done = new ArrayList<>();
    if (packs.isEmpty()) {
      return done;
    }
    byte[] plain = new byte[repo.chunkSize()];
    try {
      long copied = 0;
      for (Rewrite r : packs) {
        progress.update("rewriting packs", copied++, packs.size());
        Repository.StoredPack pack = r.pack();
        List<Repository.PackedChunk> chunks = new ArrayList<>();
        List<byte[]> blobs = new ArrayList<>();
        String damaged = null;
        for (Repository.PackedChunk c : r.inUse()) {
          try {
            byte[] blob = repo.readBlob(pack.path(), c.offset(), c.length());
            repo.decodeChunk(c.digest(), blob, plain);
            chunks.add(c);
            blobs.add(blob);
          } catch (IOException | EngineException e) {
            damaged = c.digest() + ": " + e.getMessage();
            break;
          }
        }
        if (damaged != null) {
          problems.add(
              "Pack "
                  + pack.path().getFileName()
                  + " was not rewritten: chunk "
                  + damaged
                  + ". Run verify to see which images need it.");
          continue;
        }
        for (int i = 0; i < chunks.size(); i++) {
          repo.copyBlob(writer, chunks.get(i).digest(), blobs.get(i));
        }
        done.add(pack);
      }
      writer.finish();
      Durable.syncWritten(repo.root(), written);
    } catch (IOException e) {
      throw new EngineException(
          "Cannot make rewritten packs durable; nothing was deleted: " + e.getMessage(), e);
    }
    return done;
  }

  private void sweepLooseChunks(DigestSet live, Instant cutoff, boolean dryRun, Counts n) {
    repo.forEachLooseChunk(
        c -> {
          if (c.digest() != null && live.contains(c.digest())) {
            n.kept++;
          } else if (c.modified().isAfter(cutoff)) {
            n.spared++;
          } else {
            if (!dryRun) {
              deleteFile(c.path());
            }
            n.deleted++;
            n.bytes += c.bytes();
          }
        });
  }

  private void sweepTemporaries(Instant cutoff) {
    Path tmp = repo.root().resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return;
    }
    try (Stream<Path> files = Files.list(tmp)) {
      files
          .filter(
              f -> {
                try {
                  return Files.getLastModifiedTime(f).toInstant().isBefore(cutoff);
                } catch (IOException e) {
                  return false;
                }
              })
          .forEach(CollectGarbage::deleteFile);
    } catch (IOException e) {
      throw new EngineException("Cannot clean " + tmp + ": " + e.getMessage(), e);
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
