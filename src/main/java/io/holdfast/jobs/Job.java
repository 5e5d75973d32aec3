package io.holdfast.jobs;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "job")
class Job {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(nullable = false)
  String type;

  @Column(nullable = false)
  String state;

  @Column(name = "machine_id", nullable = false)
  Long machineId;

  @Column(name = "repository_id")
  Long repositoryId;

  @Column(name = "image_id")
  Long imageId;

  @Column(name = "disk_name")
  String diskName;

  /** Not handed to a worker before this instant (a restore window's start), or null. */
  @Column(name = "not_before")
  Instant notBefore;

  /** Cancelled if still queued at this instant (a restore window's end), or null. */
  @Column(name = "not_after")
  Instant notAfter;

  /** The backup plan that queued it, or null (a person, or another kind of job). */
  @Column(name = "plan_id")
  Long planId;

  /** 1 for a backup its plan's schedule queued, 2 for that one's first retry, …; else null. */
  @Column(name = "plan_attempt")
  Integer planAttempt;

  @Column(nullable = false)
  String params = "{}";

  @Column(nullable = false)
  String cause;

  @Column(name = "requested_by", nullable = false)
  String requestedBy;

  @Column(name = "worker_id")
  Long workerId;

  /**
   * The worker this job was taken from when the console declared that worker lost and queued the
   * job again; it may come back and carry on until another claim clears this.
   */
  @Column(name = "lost_worker_id")
  Long lostWorkerId;

  int attempts;

  @Column(name = "max_attempts")
  int maxAttempts = 1;

  @Column(name = "cancel_requested")
  boolean cancelRequested;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "assigned_at")
  Instant assignedAt;

  @Column(name = "started_at")
  Instant startedAt;

  @Column(name = "finished_at")
  Instant finishedAt;

  @Column(name = "updated_at", nullable = false)
  Instant updatedAt;

  /** When the job last moved forward: assigned, a new phase, or more bytes done. */
  @Column(name = "progress_at")
  Instant progressAt;

  String phase;

  @Column(name = "bytes_done")
  long bytesDone;

  @Column(name = "bytes_total")
  long bytesTotal;

  @Column(name = "rate_bps")
  long rateBps;

  String error;

  String result;

  JobState state() {
    return JobState.fromId(state);
  }

  /** Moves to {@code to} or refuses: the one place a job's state changes. */
  void moveTo(JobState to, Instant now) {
    JobState from = state();
    if (!from.canMoveTo(to)) {
      throw new IllegalTransitionException(id, from, to);
    }
    state = to.id();
    updatedAt = now;
    lostWorkerId = null;
    switch (to) {
      case ASSIGNED -> assignedAt = now;
      case RUNNING -> startedAt = now;
      case SUCCEEDED, FAILED, CANCELLED -> finishedAt = now;
      case QUEUED -> {
        workerId = null;
        assignedAt = null;
        startedAt = null;
        finishedAt = null;
        bytesDone = 0;
        rateBps = 0;
        phase = null;
      }
    }
  }
}
