package io.holdfast.alerts;

import io.holdfast.accounts.Contacts;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobEnded;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.jobs.JobView;
import io.holdfast.plans.PlanBackupFailed;
import io.holdfast.platform.EmailSettings;
import io.holdfast.platform.MailOut;
import io.holdfast.platform.Role;
import io.quarkus.mailer.Mail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Mails the people who look after backups when something needs them: a backup that failed for good
 * (a scheduled one once its plan has no retry left), a verify, prune or maintenance that failed,
 * and an image a verify found damaged. They go to the admins and operators with an address, and to
 * {@code holdfast.notify.email.alerts}. Off unless {@code holdfast.notify.email.enabled}.
 */
@ApplicationScoped
class JobAlerts {

  private static final Logger LOG = Logger.getLogger(JobAlerts.class);

  @Inject EmailSettings config;
  @Inject MailOut out;
  @Inject Contacts contacts;
  @Inject JobService jobs;
  @Inject ImageService images;

  void onJobEnded(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobEnded ended) {
    if (!config.enabled()) {
      return;
    }
    try {
      alertFor(ended).ifPresent(a -> send(a, ended.jobId()));
    } catch (RuntimeException e) {
      LOG.warnf(e, "Could not tell people how job %d ended", ended.jobId());
    }
  }

  void onPlanGaveUp(@Observes(during = TransactionPhase.AFTER_SUCCESS) PlanBackupFailed failed) {
    if (!config.enabled()) {
      return;
    }
    try {
      jobs.get(failed.jobId())
          .ifPresent(
              j ->
                  send(
                      new Alert(
                          "Backup of " + j.machine() + " failed",
                          describe(j)
                              + "\n\n"
                              + (failed.plan() == null ? "" : "Plan " + failed.plan() + ": ")
                              + failed.why()
                              + "."),
                      j.id()));
    } catch (RuntimeException e) {
      LOG.warnf(e, "Could not tell people that backup job %d failed", failed.jobId());
    }
  }

  private record Alert(String subject, String text) {}

  private Optional<Alert> alertFor(JobEnded ended) {
    JobView j = jobs.get(ended.jobId()).orElse(null);
    if (j == null) {
      return Optional.empty();
    }
    if (ended.state() == JobState.FAILED) {
      return switch (j.type()) {
        // a backup its plan's schedule queued is the plan's to retry or give up on
        case "backup" ->
            scheduled(j)
                ? Optional.empty()
                : Optional.of(new Alert("Backup of " + j.machine() + " failed", describe(j)));
        case "verify", "prune", "maintenance" ->
            Optional.of(
                new Alert(
                    capitalised(j.type()) + " job " + j.id() + " on " + j.machine() + " failed",
                    describe(j)));
        default -> Optional.empty(); // restores: their requester and approver hear of them
      };
    }
    if (ended.state() == JobState.SUCCEEDED && j.type().equals("verify") && j.imageId() != null) {
      ImageView image = images.get(j.imageId()).orElse(null);
      if (image != null && "damaged".equals(image.verifyStatus())) {
        return Optional.of(
            new Alert(
                "Image " + image.manifestId() + " of " + image.machine() + " is damaged",
                "Verify job "
                    + j.id()
                    + " found damage in image "
                    + image.manifestId()
                    + " of "
                    + image.machine()
                    + ", made "
                    + image.created()
                    + ":\n\n"
                    + image.verifyDetail()
                    + "\n\nA restore of this image would fail or be incomplete. Back the machine"
                    + " up again, and check the disk that holds the repository."));
      }
    }
    return Optional.empty();
  }

  private boolean scheduled(JobView j) {
    return jobs.planRunOf(j.id()).map(r -> r.attempt() != null).orElse(false);
  }

  private static String describe(JobView j) {
    return capitalised(j.type())
        + " job "
        + j.id()
        + " on "
        + j.machine()
        + (j.diskName() == null ? "" : ", disk " + j.diskName())
        + " failed after "
        + j.attempts()
        + (j.attempts() == 1 ? " attempt" : " attempts")
        + ".\nStarted by: "
        + j.requestedBy()
        + " ("
        + j.cause()
        + ")\nError: "
        + (j.error() == null ? "none reported" : j.error());
  }

  private static String capitalised(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private void send(Alert a, long jobId) {
    Set<String> to = new LinkedHashSet<>(config.alerts().orElse(List.of()));
    to.addAll(
        contacts.emailsOf(
            roles -> roles.contains(Role.ADMIN.id()) || roles.contains(Role.OPERATOR.id())));
    String text = a.text() + config.link("jobs/" + jobId);
    out.send(
        to.stream()
            .map(address -> Mail.withText(address, "[Holdfast] " + a.subject(), text))
            .toList(),
        "job " + jobId);
  }
}
