package io.holdfast.jobs;

import io.holdfast.worker.protocol.Protocol;
import java.time.Instant;

/**
 * A maintenance job of a repository, as its page shows it.
 *
 * @param cause "schedule", or what a person asked through ("api", "console")
 * @param summary what the worker did; null until the job succeeded
 */
public record MaintenanceRun(
    long jobId,
    JobState state,
    String cause,
    Instant createdAt,
    Instant finishedAt,
    String error,
    Protocol.MaintenanceSummary summary) {}
