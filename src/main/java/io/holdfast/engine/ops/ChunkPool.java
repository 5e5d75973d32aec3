package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs per-chunk work on all cores with a bounded number of chunks in flight, so memory stays flat
 * whatever the disk size. Work that needs only a core runs as one loop per thread, each taking the
 * next chunk ({@link #forEach}). Work that first waits on storage can be split in two: a read step
 * on one of many I/O threads (so a cold disk always has reads queued) and a compute step on a
 * thread per core (so hashing and decompressing never fight more threads than there are cores).
 * Work that also writes can add a third step on writer threads, so a core never waits for the
 * target device. The first failure stops further submissions and is rethrown.
 */
final class ChunkPool implements AutoCloseable {

  interface ChunkTask {
    void run(long index) throws Exception;
  }

  /** The blocking part of a chunk's work: fetch what the compute step needs. */
  interface ReadStep<T> {
    T read(long index) throws Exception;
  }

  /** The CPU part of a chunk's work, given what the read step fetched. */
  interface ComputeStep<T> {
    void run(long index, T data) throws Exception;
  }

  /** The CPU part of a chunk's work that produces something to write (null: nothing to write). */
  interface TransformStep<T, U> {
    U run(long index, T data) throws Exception;
  }

  /** The blocking last part of a chunk's work: write what the transform step produced. */
  interface WriteStep<U> {
    void run(long index, U data) throws Exception;
  }

  private final ExecutorService pool;
  private final ExecutorService io;
  private final ExecutorService writers;
  private final Semaphore inFlight;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Cancellation cancel;
  private final int threads;

  /** Chunks in flight hold at most about this many bytes (beyond one per thread). */
  static final long IN_FLIGHT_BYTES = 64L << 20;

  /** A pool for work that only computes, or reads from a warm cache. */
  ChunkPool(int threads, Cancellation cancel) {
    this(threads, 0, 0, cancel);
  }

  /**
   * @param threads compute threads
   * @param ioThreads threads for read steps, 0 when nothing uses {@link #submit(long, ReadStep,
   *     ComputeStep)}
   * @param chunkBytes the size of a chunk, to bound the memory of chunks in flight
   */
  ChunkPool(int threads, int ioThreads, int chunkBytes, Cancellation cancel) {
    this(threads, ioThreads, 0, chunkBytes, cancel);
  }

  /**
   * @param writeThreads threads for write steps, 0 when nothing uses {@link #submit(long, ReadStep,
   *     TransformStep, WriteStep)}
   */
  ChunkPool(int threads, int ioThreads, int writeThreads, int chunkBytes, Cancellation cancel) {
    this.pool = Executors.newFixedThreadPool(threads, named("holdfast-chunk"));
    this.io = ioThreads > 0 ? Executors.newFixedThreadPool(ioThreads, named("holdfast-io")) : null;
    this.writers =
        writeThreads > 0
            ? Executors.newFixedThreadPool(writeThreads, named("holdfast-write"))
            : null;
    long byMemory = chunkBytes > 0 ? IN_FLIGHT_BYTES / chunkBytes : Integer.MAX_VALUE;
    this.inFlight =
        new Semaphore(
            (int)
                Math.max(threads + 1, Math.min(threads * 3 + ioThreads + writeThreads, byMemory)));
    this.cancel = cancel;
    this.threads = threads;
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Threads for imaging, which hashes and compresses and so is bound by the cores: one per core
   * (measured on the bench disk with 2 cores: 20.7 s with 2 threads, 23.7 s with 4).
   */
  static int defaultThreads() {
    return configured(Math.max(2, Runtime.getRuntime().availableProcessors()));
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

  /**
   * Runs {@code task} for every index in {@code [0, count)} on the compute threads, each thread
   * taking the next index itself, in order. Nothing is handed from thread to thread per chunk: for
   * work that needs nothing but a core (imaging a cached disk), that saves the wake-ups of a queue,
   * about two context switches per chunk. Call {@link #await} next.
   */
  void forEach(long count, ChunkTask task) {
    AtomicLong next = new AtomicLong();
    for (int t = 0; t < threads; t++) {
      pool.execute(
          () -> {
            long i;
            while (stillGoing() && (i = next.getAndIncrement()) < count) {
              try {
                task.run(i);
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            }
          });
    }
  }

  /** Runs {@code read} on an I/O thread, then {@code compute} with its result on a core. */
  <T> void submit(long index, ReadStep<T> read, ComputeStep<T> compute) {
    submit(
        index,
        read,
        (i, data) -> {
          compute.run(i, data);
          return null; // nothing to write
        },
        null);
  }

  /**
   * Runs {@code read} on an I/O thread, {@code transform} with its result on a core, then {@code
   * write} with what that produced (unless null) on a writer thread. The chunk stays in flight
   * until it is written, so the buffers handed from transform to write stay bounded.
   */
  <T, U> void submit(
      long index, ReadStep<T> read, TransformStep<T, U> transform, WriteStep<U> write) {
    admit();
    io.execute(
        () ->
            step(
                () -> {
                  T data = read.read(index);
                  pool.execute(
                      () ->
                          step(
                              () -> {
                                U out = transform.run(index, data);
                                if (out == null) {
                                  return false;
                                }
                                writers.execute(
                                    () ->
                                        step(
                                            () -> {
                                              write.run(index, out);
                                              return false;
                                            }));
                                return true;
                              }));
                  return true;
                }));
  }

  /** A stage of a chunk's work; true when it handed the chunk (and its permit) to a next stage. */
  private interface Stage {
    boolean run() throws Exception;
  }

  private void step(Stage stage) {
    boolean handedOver = false;
    try {
      if (stillGoing()) {
        handedOver = stage.run();
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      if (!handedOver) {
        inFlight.release();
      }
    }
  }

  private void admit() {
    rethrow();
    cancel.check();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException("interrupted");
    }
  }

  private boolean stillGoing() {
    return failure.get() == null && !cancel.isCancelled();
  }

  /** Waits for everything submitted; rethrows the first failure. */
  void await() {
    try {
      if (io != null) {
        // read steps hand their compute steps to the pool: let them all do so first
        io.shutdown();
        while (!io.awaitTermination(1, TimeUnit.SECONDS)) {
          // keep waiting; tasks check cancellation themselves
        }
      }
      // compute steps hand their write steps to the writers
      pool.shutdown();
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // keep waiting
      }
      if (writers != null) {
        writers.shutdown();
        while (!writers.awaitTermination(1, TimeUnit.SECONDS)) {
          // keep waiting
        }
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
    if (t instanceof OutOfMemoryError oom) {
      throw EngineException.outOfHeap(oom);
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
    if (io != null) {
      io.shutdownNow();
    }
    pool.shutdownNow();
    if (writers != null) {
      writers.shutdownNow();
    }
    try {
      if (io != null) {
        io.awaitTermination(5, TimeUnit.MINUTES);
      }
      pool.awaitTermination(5, TimeUnit.MINUTES);
      if (writers != null) {
        writers.awaitTermination(5, TimeUnit.MINUTES);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
