package io.holdfast.workers;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "holdfast.workers")
public interface WorkersConfig {

  /** How long a new enrolment token stays valid. */
  @WithDefault("PT24H")
  Duration tokenLifetime();

  /** Longest a poll is held open when there is nothing to do. */
  @WithDefault("25")
  int maxPollWaitSeconds();

  /** Jobs a new worker runs at once. */
  @WithDefault("2")
  int defaultMaxJobs();
}
