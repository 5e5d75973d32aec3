package io.holdfast.engine;

import java.util.concurrent.atomic.AtomicBoolean;

/** Lets a caller stop a running operation; operations check it between chunks. */
public final class Cancellation {

  private final AtomicBoolean cancelled = new AtomicBoolean();

  public static Cancellation none() {
    return new Cancellation();
  }

  public void cancel() {
    cancelled.set(true);
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  public void check() {
    if (cancelled.get()) {
      throw new Cancelled();
    }
  }
}
