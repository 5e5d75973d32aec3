package io.holdfast.accounts;

import io.holdfast.platform.RequestOrigin;
import io.holdfast.platform.Role;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import org.jboss.logging.Logger;

/**
 * On the very first start (no accounts at all) creates the admin account, with the configured
 * password or a generated one printed once in the log.
 */
@ApplicationScoped
class FirstAdminBootstrap {

  private static final Logger LOG = Logger.getLogger(FirstAdminBootstrap.class);
  private static final String ALPHABET =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

  @Inject AccountService accounts;
  @Inject AccountsConfig config;

  void onStart(@Observes StartupEvent event) {
    if (accounts.count() > 0) {
      return;
    }
    String username = config.initialAdminUsername();
    boolean generated = config.initialAdminPassword().isEmpty();
    String password = config.initialAdminPassword().orElseGet(FirstAdminBootstrap::generate);
    accounts.create(
        username, "Administrator", Role.ADMIN, password, "system", RequestOrigin.SYSTEM);
    if (generated) {
      LOG.warnf(
          "%n%n    First start: created the admin account.%n    Sign in as  %s  with password  %s%n"
              + "    (shown only this once; set HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD to choose it)%n",
          username, password);
    } else {
      LOG.infof(
          "First start: created the admin account '%s' with the configured password.", username);
    }
  }

  private static String generate() {
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }
}
