package io.holdfast.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An in-process SMTP server (GreenMail) that the console sends real mail to, with email
 * notifications switched on. Tests get it in a field marked {@link Inbox}.
 */
public class SmtpTestResource implements QuarkusTestResourceLifecycleManager {

  /** Marks the {@code GreenMail} field a test reads received mail from. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface Inbox {}

  public static final String APPROVERS = "approvers@holdfast.test";
  public static final String ALERTS = "alerts@holdfast.test";

  private GreenMail smtp;

  @Override
  public Map<String, String> start() {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    return Map.of(
        "quarkus.mailer.mock", "false",
        "quarkus.mailer.host", "127.0.0.1",
        "quarkus.mailer.port", String.valueOf(port),
        "quarkus.mailer.from", "holdfast@holdfast.test",
        "holdfast.notify.email.enabled", "true",
        "holdfast.notify.email.approvers", APPROVERS,
        "holdfast.notify.email.alerts", ALERTS,
        "holdfast.notify.email.console-url", "https://holdfast.test/");
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        smtp, new TestInjector.AnnotatedAndMatchesType(Inbox.class, GreenMail.class));
  }

  @Override
  public void stop() {
    if (smtp != null) {
      smtp.stop();
    }
  }

  /** The first mail to {@code to} whose subject holds {@code subjectPart}, waiting up to 60 s. */
  public static MimeMessage awaitMail(GreenMail smtp, String to, String subjectPart)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (MimeMessage m : mailsTo(smtp, to)) {
        if (m.getSubject().contains(subjectPart)) {
          return m;
        }
      }
      Thread.sleep(100);
    }
    List<String> seen = new ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      seen.add(Arrays.toString(m.getAllRecipients()) + " " + m.getSubject());
    }
    throw new AssertionError("no mail to " + to + " about '" + subjectPart + "'; got " + seen);
  }

  /** Every mail received so far with {@code to} among its recipients. */
  public static List<MimeMessage> mailsTo(GreenMail smtp, String to) throws Exception {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      if (Arrays.stream(m.getRecipients(Message.RecipientType.TO))
          .anyMatch(a -> a.toString().equals(to))) {
        out.add(m);
      }
    }
    return out;
  }

  /** A plain-text mail's text, decoded (long lines and non-ASCII arrive quoted-printable). */
  public static String text(MimeMessage m) throws Exception {
    return String.valueOf(m.getContent()).replace("\r\n", "\n");
  }
}
