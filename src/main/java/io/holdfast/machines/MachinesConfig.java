package io.holdfast.machines;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "holdfast.machines")
public interface MachinesConfig {

  /** A machine whose worker has not called in for this long is shown offline. */
  @WithDefault("PT90S")
  Duration offlineAfter();

  /**
   * A machine whose newest image is older than this, or that has none, is shown as unprotected on
   * the dashboard: the backups that should cover it are not happening.
   */
  @WithDefault("P2D")
  Duration unprotectedAfter();
}
