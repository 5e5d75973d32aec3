package io.holdfast.jobs;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Makes sure nothing stays running forever: not when its worker goes silent, nor when it hangs.
 *
 * <p>Silence is judged only once the console has itself listened that long. While it was down or
 * restarting no worker could reach it, so a worker's last contact from before the restart says
 * nothing about whether the worker is still there.
 */
@ApplicationScoped
class JobMonitor {

  @Inject JobService jobs;
  @Inject JobsConfig config;
  @Inject Clock clock;

  private volatile Instant listeningSince;

  void started(@Observes StartupEvent e) {
    listeningSince = clock.instant();
  }

  @Scheduled(
      every = "${holdfast.jobs.monitor-every:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void failJobsOfLostWorkers() {
    if (listenedFor(config.workerLostAfter())) {
      jobs.failJobsOfLostWorkers();
    }
    if (listenedFor(config.stalledAfter())) {
      jobs.failStalledJobs();
    }
    jobs.cancelMissedWindows();
  }

  private boolean listenedFor(Duration d) {
    Instant since = listeningSince;
    return since != null && !clock.instant().isBefore(since.plus(d));
  }
}
