package io.holdfast.plans;

/**
 * Fired when a backup that a plan's schedule queued failed and no retry follows it: the plan gives
 * up until its next due time. {@code why} says why no retry follows, for the people told of it.
 */
public record PlanBackupFailed(long jobId, String plan, String why) {}
