package io.holdfast.plans;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Backup plans: how the console turns due plans into backup jobs. */
@ConfigMapping(prefix = "holdfast.plans")
public interface PlansConfig {

  /** Whether the console queues due plans by itself; "run now" always works. */
  @WithDefault("true")
  boolean scheduled();

  /**
   * How late a due backup may still be queued: a console that was down at 02:00 and is back at
   * 05:00 runs that night's backup; one back the next afternoon waits for the next due time.
   */
  @WithDefault("PT6H")
  Duration catchUp();

  /** How often the console looks for due plans (read by the scheduler). */
  @WithDefault("30s")
  String checkEvery();
}
