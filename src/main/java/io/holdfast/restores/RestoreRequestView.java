package io.holdfast.restores;

import java.time.Instant;

/**
 * A restore request as people see it.
 *
 * @param overwrites what the restore will replace, in plain words
 * @param intact false when the request was changed after it was approved
 * @param jobState state of the restore job once approved, or null
 * @param windowStart the restore may not start before this, or null
 * @param windowEnd the restore may not start after this, or null
 * @param files a file restore's paths inside the partition's filesystem; null for a disk or
 *     partition restore
 */
public record RestoreRequestView(
    long id,
    long imageId,
    String image,
    String sourceMachine,
    long targetMachineId,
    String targetMachine,
    String disk,
    Integer partition,
    String target,
    String reason,
    String risk,
    String riskReasons,
    String requestedBy,
    Instant requestedAt,
    Instant expiresAt,
    String state,
    String decidedBy,
    Instant decidedAt,
    String decisionComment,
    boolean autoApproved,
    Long jobId,
    String jobState,
    String overwrites,
    boolean intact,
    Instant windowStart,
    Instant windowEnd,
    java.util.List<String> files) {

  public boolean isFileRestore() {
    return files != null;
  }
}
