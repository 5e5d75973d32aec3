package io.holdfast.plans;

import java.util.List;

/**
 * A plan as a person writes it.
 *
 * @param machine the machine's id, for a plan of one machine; or null, with {@code machines}
 * @param machines the machines' ids, for a plan of several (or one)
 * @param disk one disk's name, for a plan of one machine; or null (or blank) for every disk the
 *     machines report
 * @param repository the repository's id, or null for the default repository
 * @param schedule Unix cron: minute hour day month weekday; null or blank for none, when {@code
 *     onlineEveryHours} is set
 * @param timeZone the schedule's zone, e.g. Europe/Berlin; null for UTC
 * @param enabled null counts as true
 * @param keep retention after each backup; null (or all 0) keeps every image
 * @param retries how often a scheduled backup that failed is queued again, 0 to 10; null for 2
 * @param retryWaitMinutes how long after the failure, 1 to 1440 minutes; null for 10
 * @param compression none, fast (zstd 1) or balanced (zstd 3); null for fast
 * @param onlineEveryHours back up a machine that is online and whose newest backup of this plan is
 *     older than this many hours (1 to 720), beside the schedule or instead of it; null for off
 */
public record PlanSpec(
    String name,
    Long machine,
    List<Long> machines,
    String disk,
    Long repository,
    String schedule,
    String timeZone,
    boolean verifyAfter,
    Boolean enabled,
    Keep keep,
    Integer retries,
    Integer retryWaitMinutes,
    String compression,
    Integer onlineEveryHours) {

  public static final int ONLINE_EVERY_HOURS_MAX = 720;

  /** What a plan's backups may compress with; stronger levels are for recompression. */
  public static final List<String> COMPRESSIONS = List.of("none", "fast", "balanced");

  public static final int DEFAULT_RETRIES = 2;
  public static final int DEFAULT_RETRY_WAIT_MINUTES = 10;

  /**
   * How many images to keep: the newest {@code last}, and the newest of each of the most recent
   * {@code hourly} hours, {@code daily} days, and so on; an image any rule keeps stays.
   */
  public record Keep(int last, int hourly, int daily, int weekly, int monthly, int yearly) {

    public static final Keep ALL = new Keep(0, 0, 0, 0, 0, 0);

    public boolean keepsAll() {
      return last + hourly + daily + weekly + monthly + yearly == 0;
    }

    @Override
    public String toString() {
      if (keepsAll()) {
        return "keep every image";
      }
      StringBuilder b = new StringBuilder("keep");
      add(b, last, "last");
      add(b, hourly, "hourly");
      add(b, daily, "daily");
      add(b, weekly, "weekly");
      add(b, monthly, "monthly");
      add(b, yearly, "yearly");
      return b.toString();
    }

    private static void add(StringBuilder b, int n, String rule) {
      if (n > 0) {
        b.append(b.length() > 4 ? ", " : " ").append(n).append(' ').append(rule);
      }
    }
  }
}
