package io.holdfast.jobs;

/** A job was asked to move to a state its current state cannot lead to. */
public class IllegalTransitionException extends IllegalStateException {

  public IllegalTransitionException(long jobId, JobState from, JobState to) {
    super("Job " + jobId + " is " + from.id() + " and cannot become " + to.id() + ".");
  }
}
