package io.holdfast.machines;

import java.time.Instant;
import java.util.List;

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
    List<DiskView> disks) {}
