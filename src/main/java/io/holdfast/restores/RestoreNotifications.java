package io.holdfast.restores;

import io.holdfast.jobs.JobEnded;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * After a restore request changes, or its job ends, and the change is committed: records the
 * outcome on the request and hands the news to every {@link RestoreNotifier}.
 */
@ApplicationScoped
class RestoreNotifications {

  private static final Logger LOG = Logger.getLogger(RestoreNotifications.class);

  @Inject RestoreService restores;
  @Inject Instance<RestoreNotifier> notifiers;

  void onJobEnded(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobEnded ended) {
    if (ended.type().equals("restore") || ended.type().equals("restore-files")) {
      try {
        restores.recordOutcome(ended.jobId(), ended.state());
      } catch (RuntimeException e) {
        LOG.errorf(e, "Could not record the outcome of restore job %d", ended.jobId());
      }
    }
  }

  void onRestoreEvent(@Observes(during = TransactionPhase.AFTER_SUCCESS) RestoreEvent event) {
    RestoreRequestView view = restores.getAfterCommit(event.requestId()).orElse(null);
    if (view == null) {
      return;
    }
    for (RestoreNotifier n : notifiers) {
      try {
        n.notify(event.kind(), view);
      } catch (RuntimeException e) {
        LOG.warnf(
            e,
            "%s could not tell people that restore request %d was %s",
            n.getClass().getSimpleName(),
            event.requestId(),
            event.kind());
      }
    }
  }
}
