package io.holdfast.restores;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Set;

@ConfigMapping(prefix = "holdfast.restores")
public interface RestoresConfig {

  /** How long a request waits for a decision before it expires. */
  @WithDefault("PT24H")
  Duration requestLifetime();

  /**
   * Roles (Holdfast roles, or any role a Keycloak realm gives, e.g. {@code restore-approver}) whose
   * holders may approve and reject restores. Admins always may; helpdesk and auditors never.
   */
  @WithDefault("admin")
  Set<String> approverRoles();

  /** What each kind of restore needs. */
  Policy policy();

  /** {@code approval} (a second person) or {@code auto} (approved by policy, audited as such). */
  interface Policy {

    @WithDefault("approval")
    RestorePolicy.Decision differentMachine();

    @WithDefault("approval")
    RestorePolicy.Decision wholeDisk();

    @WithDefault("approval")
    RestorePolicy.Decision systemPartition();

    @WithDefault("approval")
    RestorePolicy.Decision dataPartition();

    /** Files copied out of an image into a new folder (overwriting nothing). */
    @WithDefault("approval")
    RestorePolicy.Decision files();
  }
}
