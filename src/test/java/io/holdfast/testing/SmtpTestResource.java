package io.holdfast.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.ServerSocket;
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
}
