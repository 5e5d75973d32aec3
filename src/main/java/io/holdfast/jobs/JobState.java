package io.holdfast.jobs;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The life of a job. Only the transitions listed here are possible, whoever asks: the code refuses
 * the rest, not just the UI.
 *
 * <pre>
 * queued → assigned → running → succeeded | failed | cancelled
 * queued | assigned → cancelled;  assigned → failed (worker lost);  failed → queued (retry)
 * </pre>
 */
public enum JobState {
  QUEUED,
  ASSIGNED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public Set<JobState> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(ASSIGNED, CANCELLED);
      case ASSIGNED -> EnumSet.of(RUNNING, FAILED, CANCELLED, SUCCEEDED);
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
      case FAILED -> EnumSet.of(QUEUED);
      case SUCCEEDED, CANCELLED -> EnumSet.noneOf(JobState.class);
    };
  }

  public boolean canMoveTo(JobState to) {
    return next().contains(to);
  }

  public boolean active() {
    return this == ASSIGNED || this == RUNNING;
  }

  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromId(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
