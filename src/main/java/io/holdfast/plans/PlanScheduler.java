package io.holdfast.plans;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;

/** Looks for due backup plans, twice a minute by default. */
@ApplicationScoped
class PlanScheduler {

  @Inject PlanService plans;
  @Inject PlansConfig config;
  @Inject Clock clock;

  @Scheduled(
      every = "${holdfast.plans.check-every:30s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void queueDue() {
    if (config.scheduled()) {
      plans.queueDue(clock.instant());
    }
  }
}
