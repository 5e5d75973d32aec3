package io.holdfast.engine;

/** Thrown when an operation stops because its {@link Cancellation} was triggered. */
public class Cancelled extends EngineException {

  public Cancelled() {
    super("The operation was cancelled.");
  }
}
