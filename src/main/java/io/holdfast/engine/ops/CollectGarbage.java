package io.holdfast.engine.ops;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Mark and sweep: every chunk some manifest names is kept; any other chunk older than the grace
 * period is deleted. The grace period protects chunks that a backup running right now has written
 * or touched but whose manifest does not exist yet.
 */
public final class CollectGarbage {

  public record Report(
      long chunksKept, long chunksDeleted, long bytesDeleted, long chunksSpared, boolean dryRun) {}

  private final Repository repo;

  public CollectGarbage(Repository repo) {
    this.repo = repo;
  }

  public Report run(Duration grace, boolean dryRun) {
    Instant cutoff = Instant.now().minus(grace);
    Set<String> live = new HashSet<>();
    for (Repository.ManifestRef ref : repo.listManifests()) {
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
          if (c != null) {
            live.add(c);
          }
        }
      }
    }
    AtomicLong kept = new AtomicLong();
    AtomicLong deleted = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong spared = new AtomicLong();
    repo.forEachChunk(
        c -> {
          if (c.digest() != null && live.contains(c.digest())) {
            kept.incrementAndGet();
          } else if (c.modified().isAfter(cutoff)) {
            spared.incrementAndGet();
          } else {
            if (!dryRun) {
              delete(c.path());
            }
            deleted.incrementAndGet();
            bytes.addAndGet(c.bytes());
          }
        });
    if (!dryRun) {
      sweepTemporaries(cutoff);
    }
    return new Report(kept.get(), deleted.get(), bytes.get(), spared.get(), dryRun);
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
          .forEach(CollectGarbage::delete);
    } catch (IOException e) {
      throw new EngineException("Cannot clean " + tmp + ": " + e.getMessage(), e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new EngineException("Cannot delete " + p + ": " + e.getMessage(), e);
    }
  }
}
