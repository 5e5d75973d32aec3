package io.holdfast.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobStateTest {

  @Test
  void the_happy_path_is_allowed() {
    assertThat(JobState.QUEUED.canMoveTo(JobState.ASSIGNED)).isTrue();
    assertThat(JobState.ASSIGNED.canMoveTo(JobState.RUNNING)).isTrue();
    assertThat(JobState.RUNNING.canMoveTo(JobState.SUCCEEDED)).isTrue();
  }

  @Test
  void finished_jobs_stay_finished_except_a_failed_one_being_retried() {
    for (JobState to : JobState.values()) {
      assertThat(JobState.SUCCEEDED.canMoveTo(to)).isFalse();
      assertThat(JobState.CANCELLED.canMoveTo(to)).isFalse();
      assertThat(JobState.FAILED.canMoveTo(to)).isEqualTo(to == JobState.QUEUED);
    }
  }

  @Test
  void a_queued_job_cannot_jump_to_running_or_succeeded() {
    assertThat(JobState.QUEUED.canMoveTo(JobState.RUNNING)).isFalse();
    assertThat(JobState.QUEUED.canMoveTo(JobState.SUCCEEDED)).isFalse();
    assertThat(JobState.RUNNING.canMoveTo(JobState.QUEUED)).isFalse();
  }
}
