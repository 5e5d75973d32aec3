package io.holdfast.maintenance;

import io.holdfast.jobs.MaintenanceRun;
import java.time.Instant;

/**
 * A repository as an admin checks it: where it is, how full its filesystem is, what its chunk data
 * took after the last maintenance, and when maintenance runs next.
 *
 * @param usableBytes room left on its filesystem, or null when that cannot be read
 * @param storedBytes its chunk data on disk as the last maintenance measured it, or null
 * @param lastMaintenance the newest maintenance job, whatever its state, or null
 * @param nextMaintenance when the schedule queues it next, or null when it is not scheduled
 */
public record RepositoryStatus(
    long id,
    String name,
    String path,
    Long usableBytes,
    Long totalBytes,
    Long storedBytes,
    Instant maintainedAt,
    MaintenanceRun lastMaintenance,
    Instant nextMaintenance) {}
