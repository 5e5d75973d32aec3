package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs per-chunk work on all cores with a bounded number of chunks in flight, so memory stays flat
 * whatever the disk size. The first failure stops further submissions and is rethrown.
 */
final class ChunkPool implements AutoCloseable {

  interface ChunkTask {
    void run(long index) throws Exception;
  }

  private final ExecutorService pool;
  private final Semaphore inFlight;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Cancellation cancel;

  ChunkPool(int threads, Cancellation cancel) {
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "holdfast-chunk");
              t.setDaemon(true);
              return t;
            });
    this.inFlight = new Semaphore(threads * 3);
    this.cancel = cancel;
  }

  static int defaultThreads() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  void submit(long index, ChunkTask task) {
    rethrow();
    cancel.check();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted");
    }
    pool.execute(
        () -> {
          try {
            if (failure.get() == null && !cancel.isCancelled()) {
              task.run(index);
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          } finally {
            inFlight.release();
          }
        });
  }

  /** Waits for everything submitted; rethrows the first failure. */
  void await() {
    pool.shutdown();
    try {
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // keep waiting; tasks check cancellation themselves
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted");
    }
    rethrow();
    cancel.check();
  }

  private void rethrow() {
    Throwable t = failure.get();
    if (t instanceof EngineException e) {
      throw e;
    }
    if (t != null) {
      throw new EngineException("Chunk processing failed: " + t, t);
    }
  }

  @Override
  /**
   * Stops queued chunks and waits for the ones in progress, so that an operation that failed or was
   * cancelled has no thread left writing after it returns.
   */
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
