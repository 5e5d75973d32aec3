package io.holdfast.engine;

/**
 * The engine's one documented failure: something about the input or the repository prevents the
 * operation, and the message says what and what to do. Anything else escaping the engine is a bug.
 */
public class EngineException extends RuntimeException {

  public EngineException(String message) {
    super(message);
  }

  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * What to tell the user when a job ran out of heap: the heap's limit, and what to do. What the
   * job held is unreachable once this is thrown, so the JVM goes on.
   */
  public static EngineException outOfHeap(OutOfMemoryError cause) {
    return new EngineException(
        "Out of memory: this job needs more heap than the "
            + (Runtime.getRuntime().maxMemory() >> 20)
            + " MiB this JVM may use. Its chunk index and chunk lists grow with the repository and"
            + " the disk (README, \"Memory\"); run the worker with a larger -Xmx.",
        cause);
  }
}
