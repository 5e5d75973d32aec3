package io.holdfast.jobs;

/**
 * Fired when a job reaches its final state (not when it fails and is queued again); observe it
 * after commit to act on outcomes, e.g. to tell the people behind a restore request.
 */
public record JobEnded(long jobId, String type, JobState state) {}
