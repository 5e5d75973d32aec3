package io.holdfast.platform;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Sends the console's mails without holding up the caller: a mail server that hiccups gets a few
 * more tries, and news that still cannot go out is logged, never thrown.
 *
 * <p>Each mail goes out on its own and is retried on its own, one after the other: a retry of the
 * whole batch would send the mails that already went out a second time.
 */
@ApplicationScoped
public class MailOut {

  private static final Logger LOG = Logger.getLogger(MailOut.class);

  @Inject ReactiveMailer mailer;

  /** Sends {@code mails}; {@code about} names them in the log, e.g. "restore request 12". */
  public void send(List<Mail> mails, String about) {
    if (mails.isEmpty()) {
      return;
    }
    Multi.createFrom()
        .iterable(mails)
        .onItem()
        .transformToUniAndConcatenate(mail -> sendOne(mail, about))
        .collect()
        .with(Collectors.counting())
        .subscribe()
        .with(
            sent ->
                LOG.debugf("Sent %d of %d mail(s) about %s", sent.longValue(), mails.size(), about),
            err -> LOG.warnf("Could not send mail about %s: %s", about, err.getMessage()));
  }

  /** One mail with its retries; emits nothing (so is not counted) if it never went out. */
  private Uni<Mail> sendOne(Mail mail, String about) {
    return mailer
        .send(mail)
        .ifNoItem()
        .after(Duration.ofSeconds(15))
        .fail()
        .onFailure()
        .retry()
        .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
        .atMost(4)
        .replaceWith(mail)
        .onFailure()
        .recoverWithUni(
            err -> {
              LOG.warnf(
                  "Could not send mail about %s to %s: %s", about, mail.getTo(), err.getMessage());
              return Uni.createFrom().nullItem();
            });
  }
}
