package io.holdfast.machines;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * A machine with its disks.
 *
 * @param retiredAt when an admin took it out of service, or null; then also by whom and why
 */
public record MachineDetail(
    long id,
    String name,
    String hostname,
    String os,
    Integer cpus,
    Long memoryBytes,
    String agentVersion,
    boolean online,
    Instant lastSeen,
    List<DiskView> disks,
    Instant retiredAt,
    String retiredBy,
    String retiredReason) {

  @JsonProperty("retired")
  public boolean retired() {
    return retiredAt != null;
  }
}
