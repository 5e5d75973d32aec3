package io.holdfast.jobs;

/**
 * Narrows the job list; null parts match everything.
 *
 * @param since only jobs created at or after this instant
 */
public record JobFilter(
    JobState state, String type, Long machineId, String machineName, java.time.Instant since) {

  public static final JobFilter ALL = new JobFilter(null, null, null, null, null);

  public JobFilter(JobState state, String type, Long machineId, String machineName) {
    this(state, type, machineId, machineName, null);
  }
}
