package io.holdfast.workers;

/** A worker call without a valid, unrevoked credential; answered with 401. */
public class WorkerRejected extends RuntimeException {

  public WorkerRejected(String message) {
    super(message);
  }
}
