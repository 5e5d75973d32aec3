package io.holdfast.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Email from the console over SMTP ({@code quarkus.mailer.*}): restore requests and alerts about
 * failed jobs and damaged images. Off unless {@code holdfast.notify.email.enabled=true}.
 */
@ConfigMapping(prefix = "holdfast.notify.email")
public interface EmailSettings {

  @WithDefault("false")
  boolean enabled();

  /** Addresses told of every restore request that waits for approval, besides the approvers'. */
  Optional<List<String>> approvers();

  /**
   * Addresses told of every failed backup, verify, prune or maintenance and every damaged image,
   * besides the admins' and operators' own.
   */
  Optional<List<String>> alerts();

  /** The console's address for links in the mails, e.g. https://holdfast.example. */
  Optional<String> consoleUrl();

  /** A link to a page of the console ({@code path} without a leading slash), or "" without URL. */
  default String link(String path) {
    return consoleUrl().map(u -> "\n\n" + u.replaceAll("/+$", "") + "/" + path).orElse("");
  }
}
