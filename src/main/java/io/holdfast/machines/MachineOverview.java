package io.holdfast.machines;

import java.time.Instant;

/**
 * A machine as the Machines list shows it.
 *
 * @param lastResult state of the newest backup job, or null
 * @param protectedBytes used bytes of the newest image, or 0
 * @param retired taken out of service by an admin (listed after those in service)
 */
public record MachineOverview(
    long id,
    String name,
    String os,
    boolean online,
    Instant lastSeen,
    Instant lastBackup,
    String lastResult,
    long protectedBytes,
    boolean retired) {}
