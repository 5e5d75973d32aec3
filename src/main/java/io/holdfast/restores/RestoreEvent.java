package io.holdfast.restores;

/**
 * Something happened to a restore request that people may want to hear about. Fired inside the
 * transaction that made it happen; notifiers observe it after commit.
 */
public record RestoreEvent(long requestId, Kind kind) {

  public enum Kind {
    /** Asked for; pending unless policy approved it at once (then APPROVED follows). */
    REQUESTED,
    APPROVED,
    REJECTED,
    EXPIRED,
    /** The restore job ended: succeeded, failed or cancelled. */
    FINISHED
  }
}
