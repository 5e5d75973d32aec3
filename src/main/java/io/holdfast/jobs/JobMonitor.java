package io.holdfast.jobs;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Makes sure nothing stays running forever: not when its worker goes silent, nor when it hangs. */
@ApplicationScoped
class JobMonitor {

  @Inject JobService jobs;

  @Scheduled(
      every = "${holdfast.jobs.monitor-every:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void failJobsOfLostWorkers() {
    jobs.failJobsOfLostWorkers();
    jobs.failStalledJobs();
    jobs.cancelMissedWindows();
  }
}
