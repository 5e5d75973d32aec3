package io.holdfast.restores;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "holdfast.restores")
public interface RestoresConfig {

  /** How long a request waits for a decision before it expires. */
  @WithDefault("PT24H")
  Duration requestLifetime();

  /**
   * Approve low-risk requests (one partition, back onto the machine it came from) by policy,
   * without a second person. Such decisions are audited as automatic.
   */
  @WithDefault("false")
  boolean autoApproveLowRisk();
}
