package io.holdfast.jobs;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "holdfast.jobs")
public interface JobsConfig {

  /** A running job whose worker has been silent this long fails with "worker lost". */
  @WithDefault("PT90S")
  Duration workerLostAfter();

  /**
   * A job whose worker is in contact but that has done no more bytes and begun no new phase for
   * this long fails as stalled (a hung disk or share, say); its worker is told to stop it.
   */
  @WithDefault("PT30M")
  Duration stalledAfter();

  /** How often to look for jobs whose worker went silent (read by JobMonitor's schedule). */
  @WithDefault("10s")
  String monitorEvery();

  /** Attempts a backup gets when its worker is lost (1 = no retry). */
  @WithDefault("2")
  int backupAttempts();
}
