package io.holdfast.engine;

/**
 * Receives progress from a running operation: which phase, and how many of the phase's bytes are
 * done. Called from worker threads, often; implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface Progress {

  Progress NONE = (phase, done, total) -> {};

  void update(String phase, long bytesDone, long bytesTotal);
}
