package io.holdfast.maintenance;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Repository maintenance: when the console queues it by itself, and what it does. A backup
 * compresses fast so that it ends soon; maintenance compresses the same chunks again later, when
 * nobody waits for it (docs/decisions/2026-12-01-scheduled-maintenance.md).
 */
@ConfigMapping(prefix = "holdfast.maintenance")
public interface MaintenanceConfig {

  /** Whether the console queues maintenance on its schedule; people can always start it. */
  @WithDefault("true")
  boolean scheduled();

  /** When it falls due: a Unix cron expression (minute hour day month weekday). */
  @WithDefault("0 3 * * *")
  String schedule();

  /** The schedule's time zone; the console's own when unset. */
  Optional<String> zone();

  /** How long after falling due it may still start; later, it waits for the next time. */
  @WithDefault("PT6H")
  Duration window();

  /** The level packs are compressed again at: balanced, strong or max. */
  @WithDefault("strong")
  String compression();

  /**
   * Stored bytes of packs to recompress in one run, oldest first; the rest waits for the next run.
   * At about 8 MB/s per core, 50 GiB takes about an hour on two cores.
   */
  @WithDefault("50G")
  MemorySize recompressBudget();

  /** Unused chunks younger than this stay: a backup running now may be about to use them. */
  @WithDefault("PT24H")
  Duration gcGrace();

  /**
   * Whether each due run also verifies the repository's images that were never verified, or not for
   * {@link #reverifyAfter()}: proof that they still restore, as disks and NAS shares rot.
   */
  @WithDefault("true")
  boolean reverify();

  /** How old an image's last verify may get before the schedule verifies it again. */
  @WithDefault("P30D")
  Duration reverifyAfter();

  /**
   * Used bytes of images to verify in one run, the longest unverified first (at least one image);
   * the rest waits for the next run. On the bench disk a verify checks about 0.85 GB/s of used
   * bytes on two cores from a local disk, so 200 GB take about four minutes there.
   */
  @WithDefault("200G")
  MemorySize reverifyBudget();

  /** How often the console looks whether maintenance fell due (read by the scheduler). */
  @WithDefault("1m")
  String checkEvery();
}
