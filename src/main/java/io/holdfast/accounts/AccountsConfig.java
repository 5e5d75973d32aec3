package io.holdfast.accounts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "holdfast.accounts")
public interface AccountsConfig {

  /** Username of the admin account created when the database has no accounts at all. */
  @WithDefault("admin")
  String initialAdminUsername();

  /**
   * Password of that first admin ({@code HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD}). When unset,
   * one is generated once and printed in the log.
   */
  Optional<String> initialAdminPassword();

  /** Failed sign-ins in a row after which an account is locked for a while. */
  @WithDefault("5")
  int lockoutThreshold();

  /** How long such a lockout lasts. */
  @WithDefault("PT15M")
  Duration lockoutDuration();
}
