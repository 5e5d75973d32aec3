package io.holdfast.jobs;

import java.time.Instant;

/** A job as people see it. */
public record JobView(
    long id,
    String type,
    JobState state,
    long machineId,
    String machine,
    Long imageId,
    String diskName,
    String cause,
    String requestedBy,
    Long workerId,
    int attempts,
    int maxAttempts,
    boolean cancelRequested,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    String phase,
    long bytesDone,
    long bytesTotal,
    long rateBps,
    String error) {

  /** 0..1, or 0 while the total is unknown. */
  public double fraction() {
    if (state == JobState.SUCCEEDED) {
      return 1;
    }
    return bytesTotal <= 0 ? 0 : Math.min(1, (double) bytesDone / bytesTotal);
  }

  /** Seconds left at the current rate, or -1 when unknown. */
  public long etaSeconds() {
    if (!state.active() || rateBps <= 0 || bytesTotal <= 0) {
      return -1;
    }
    return Math.max(0, (bytesTotal - bytesDone) / rateBps);
  }
}
