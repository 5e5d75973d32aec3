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
}
