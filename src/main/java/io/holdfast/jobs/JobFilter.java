package io.holdfast.jobs;

/** Narrows the job list; null parts match everything. */
public record JobFilter(JobState state, String type, Long machineId, String machineName) {

  public static final JobFilter ALL = new JobFilter(null, null, null, null);
}
