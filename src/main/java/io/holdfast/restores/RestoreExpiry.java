package io.holdfast.restores;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Requests nobody decided in time expire; a new request is needed then. */
@ApplicationScoped
class RestoreExpiry {

  @Inject RestoreService restores;

  @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void expire() {
    restores.expireDue();
  }
}
