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

  /**
   * Threads for imaging, which hashes and compresses and so is bound by the cores: one per core
   * (measured on the bench disk with 2 cores: 20.7 s with 2 threads, 23.7 s with 4).
   */
  static int defaultThreads() {
    return configured(Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Threads for verify and restore, which mostly wait on reads of chunk files: twice the cores, so
   * reads overlap (cold cache, 2 cores: restore 11.4 → 10.3 s, verify 8.2 → 7.7 s).
   */
  static int readThreads() {
    return configured(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
  }

  /** {@code holdfast.engine.threads} (or {@code HOLDFAST_ENGINE_THREADS}) when set. */
  private static int configured(int otherwise) {
    String configured =
        System.getProperty("holdfast.engine.threads", System.getenv("HOLDFAST_ENGINE_THREADS"));
    if (configured != null && !configured.isBlank()) {
      try {
        return Math.max(1, Integer.parseInt(configured.trim()));
      } catch (NumberFormatException e) {
        throw new EngineException(
            "holdfast.engine.threads must be a whole number, not '" + configured + "'.");
      }
    }
    return otherwise;
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
