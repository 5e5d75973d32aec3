package io.holdfast.engine.ops;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct reads of the groups of chunks a backup images next, started by the cores themselves.
 *
 * <p>Each core takes the next group in order ({@link ChunkPool#forEach}) and first makes sure the
 * reads of the {@code depth} groups after it have started, on I/O threads. By the time a core
 * reaches a group its read has usually ended, so nothing is handed from thread to thread but the
 * read itself: one wake-up of an I/O thread per group. On this project's VMs each wake-up of a
 * thread on the other core is an interrupt between processors; a pipeline that handed every group
 * from a reader to a core made a warm full image 0.7–0.8 s slower than reading in place in two of
 * three alternating pairs.
 *
 * <p>A group the page cache already holds ({@link SourceReads#cached}) is not read ahead: the core
 * copies it from the cache itself, as when the disk is read without O_DIRECT.
 */
final class ReadAhead implements AutoCloseable {

  /** What a group's direct read covers: {@code [start, end)} of the disk. */
  record Range(long start, long end) {}

  /** The range a group's read must cover, or null when the group holds no allocated byte. */
  interface Plan {
    Range range(long group);
  }

  private final SourceReads reads;
  private final Plan plan;
  private final long groups;
  private final int depth;
  private final ExecutorService io;
  private final AtomicLong planned = new AtomicLong();
  private final ConcurrentHashMap<Long, CompletableFuture<SourceReads.Span>> started =
      new ConcurrentHashMap<>();

  ReadAhead(SourceReads reads, Plan plan, long groups, int depth, int ioThreads) {
    this.reads = reads;
    this.plan = plan;
    this.groups = groups;
    this.depth = depth;
    this.io =
        Executors.newFixedThreadPool(
            ioThreads, r -> Thread.ofPlatform().daemon().name("holdfast-read").unstarted(r));
  }

  /**
   * What was read for {@code group}, waiting for its read if needed; null when the core should read
   * the group from the page cache (or it holds nothing to read). Hand a span back with {@link
   * #release}.
   */
  SourceReads.Span take(long group) {
    startUpTo(Math.min(groups, group + depth + 1));
    try {
      return CreateImage.await(slot(group), "Reading the disk failed");
    } finally {
      started.remove(group);
    }
  }

  void release(SourceReads.Span span) {
    if (span != null) {
      reads.release(span);
    }
  }

  private void startUpTo(long end) {
    long g;
    while ((g = planned.get()) < end) {
      if (planned.compareAndSet(g, g + 1)) {
        start(g);
      }
    }
  }

  private void start(long group) {
    CompletableFuture<SourceReads.Span> f = slot(group);
    Range r = plan.range(group);
    if (r == null || reads.cached(r.start(), r.end())) {
      f.complete(null);
      return;
    }
    io.execute(
        () -> {
          try {
            f.complete(reads.read(r.start(), r.end()));
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
  }

  /** The one future of a group, whichever of its planner and its core asks first. */
  private CompletableFuture<SourceReads.Span> slot(long group) {
    return started.computeIfAbsent(group, g -> new CompletableFuture<>());
  }

  @Override
  public void close() {
    io.shutdownNow();
    try {
      io.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
