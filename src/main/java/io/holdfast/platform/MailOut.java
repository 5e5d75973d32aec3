package io.holdfast.platform;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Sends the console's mails without holding up the caller: a mail server that hiccups gets a few
 * more tries, and news that still cannot go out is logged, never thrown.
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
    mailer
        .send(mails.toArray(Mail[]::new))
        .ifNoItem()
        .after(Duration.ofSeconds(15))
        .fail()
        .onFailure()
        .retry()
        .withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10))
        .atMost(4)
        .subscribe()
        .with(
            ok -> LOG.debugf("Sent %d mail(s) about %s", mails.size(), about),
            err -> LOG.warnf("Could not send mail about %s: %s", about, err.getMessage()));
  }
}
