package io.holdfast.restores;

import io.holdfast.accounts.Contacts;
import io.holdfast.platform.EmailSettings;
import io.holdfast.platform.MailOut;
import io.quarkus.mailer.Mail;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Email about restore requests over SMTP ({@code quarkus.mailer.*}): approvers hear of a request
 * that waits for them, the requester hears of the decision, expiry and outcome, and the approver of
 * the outcome too. Off unless {@code holdfast.notify.email.enabled=true}.
 */
@ApplicationScoped
class EmailRestoreNotifier implements RestoreNotifier {

  @Inject EmailSettings config;
  @Inject MailOut out;
  @Inject Contacts contacts;
  @Inject RestoreService restores;

  @Override
  public void notify(RestoreEvent.Kind kind, RestoreRequestView r) {
    if (!config.enabled()) {
      return;
    }
    List<Mail> mails = new ArrayList<>();
    switch (kind) {
      case REQUESTED -> {
        if (r.state().equals("pending")) {
          Set<String> to = new LinkedHashSet<>(config.approvers().orElse(List.of()));
          to.addAll(contacts.emailsOf(restores::mayApprove));
          contacts.emailOf(r.requestedBy()).ifPresent(to::remove);
          for (String address : to) {
            mails.add(
                Mail.withText(
                    address,
                    "[Holdfast] Restore request " + r.id() + " waits for approval",
                    r.requestedBy()
                        + " asks to restore "
                        + r.sourceMachine()
                        + " onto "
                        + r.targetMachine()
                        + ".\n\n"
                        + r.overwrites()
                        + "\n\nReason: "
                        + r.reason()
                        + "\nRisk: "
                        + r.risk()
                        + " ("
                        + r.riskReasons()
                        + ")\nDecide by: "
                        + r.expiresAt()
                        + link(r)));
          }
        }
      }
      case APPROVED ->
          toRequester(
              mails,
              r,
              "approved",
              (r.autoApproved() ? "Approved by policy." : "Approved by " + r.decidedBy() + ".")
                  + comment(r)
                  + "\nRestore job "
                  + r.jobId()
                  + " is queued."
                  + "\n\n"
                  + r.overwrites());
      case REJECTED ->
          toRequester(mails, r, "rejected", "Rejected by " + r.decidedBy() + "." + comment(r));
      case EXPIRED ->
          toRequester(
              mails,
              r,
              "expired",
              "Nobody decided by " + r.expiresAt() + ". Ask again if the restore is still needed.");
      case FINISHED -> {
        String outcome = r.jobState() == null ? "ended" : r.jobState();
        String text = "Restore job " + r.jobId() + " " + outcome + ".\n\n" + r.overwrites();
        toRequester(mails, r, outcome, text);
        if (r.decidedBy() != null && !r.autoApproved()) {
          contacts
              .emailOf(r.decidedBy())
              .ifPresent(
                  a ->
                      mails.add(
                          Mail.withText(
                              a,
                              "[Holdfast] Restore request " + r.id() + " " + outcome,
                              "The restore you approved " + outcome + ".\n\n" + text + link(r))));
        }
      }
    }
    out.send(mails, "restore request " + r.id());
  }

  private void toRequester(List<Mail> mails, RestoreRequestView r, String what, String text) {
    contacts
        .emailOf(r.requestedBy())
        .ifPresent(
            a ->
                mails.add(
                    Mail.withText(
                        a,
                        "[Holdfast] Your restore request " + r.id() + " " + what,
                        text + link(r))));
  }

  private static String comment(RestoreRequestView r) {
    return r.decisionComment() == null || r.decisionComment().isBlank()
        ? ""
        : " Comment: " + r.decisionComment();
  }

  private String link(RestoreRequestView r) {
    return config.link("restores");
  }
}
