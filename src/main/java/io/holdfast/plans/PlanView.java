package io.holdfast.plans;

import io.holdfast.jobs.JobState;
import java.time.Instant;
import java.util.List;

/**
 * A plan as people see it.
 *
 * @param machines the machines it backs up, by name
 * @param machine their names, joined with ", "
 * @param disk null: every disk
 * @param schedule Unix cron, or null for a plan that backs up only when its machines are online
 * @param onlineEveryHours backs up a machine online whose newest backup of the plan is older than
 *     this; null for off
 * @param nextRun when it falls due next by its schedule; null while it is disabled or when it has
 *     no schedule
 * @param lastJobId the newest backup it queued, or null
 */
public record PlanView(
    long id,
    String name,
    List<Machine> machines,
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
    Integer onlineEveryHours,
    String createdBy,
    Instant createdAt,
    Instant updatedAt,
    Instant nextRun,
    Long lastJobId,
    JobState lastJobState,
    Instant lastJobAt) {

  /** A machine a plan backs up. */
  public record Machine(long id, String name) {}
}
