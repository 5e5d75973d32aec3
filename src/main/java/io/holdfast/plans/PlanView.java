package io.holdfast.plans;

import io.holdfast.jobs.JobState;
import java.time.Instant;

/**
 * A plan as people see it.
 *
 * @param disk null: every disk
 * @param nextRun when it falls due next; null while it is disabled
 * @param lastJobId the newest backup it queued, or null
 */
public record PlanView(
    long id,
    String name,
    long machineId,
    String machine,
    String disk,
    long repositoryId,
    String repository,
    String schedule,
    String timeZone,
    boolean verifyAfter,
    boolean enabled,
    PlanSpec.Keep keep,
    int retries,
    int retryWaitMinutes,
    String compression,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    Instant nextRun,
    Long lastJobId,
    JobState lastJobState,
    Instant lastJobAt) {}
