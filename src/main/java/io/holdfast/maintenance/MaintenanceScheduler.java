package io.holdfast.maintenance;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;

/** Looks every minute whether repository maintenance, and the verifies beside it, fell due. */
@ApplicationScoped
class MaintenanceScheduler {

  @Inject MaintenanceService maintenance;
  @Inject MaintenanceConfig config;
  @Inject Clock clock;

  @Scheduled(
      every = "${holdfast.maintenance.check-every:1m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void queueDue() {
    if (config.scheduled()) {
      maintenance.queueDue(clock.instant());
      maintenance.queueDueVerifies(clock.instant());
    }
  }
}
