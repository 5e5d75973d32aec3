package io.holdfast.plans;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When a plan's backups fall due: a Unix cron expression (minute hour day month weekday) in a time
 * zone, so that "02:00 on weekdays" stays 02:00 across daylight saving changes.
 */
public final class PlanSchedule {

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final ExecutionTime times; // null: no cron, never due by the clock
  private final ZoneId zone;

  private PlanSchedule(ZoneId zone) {
    this.times = null;
    this.zone = zone;
  }

  /**
   * A schedule, or for a blank expression one that never falls due by the clock (a plan that backs
   * up only when its machines are online) but still has its zone, for retention's days and weeks.
   */
  public static PlanSchedule orNone(String expression, String zone) {
    return expression == null || expression.isBlank()
        ? new PlanSchedule(zone(zone))
        : new PlanSchedule(expression, zone);
  }

  /**
   * @throws IllegalArgumentException saying what is wrong, for the person who typed it
   */
  public PlanSchedule(String expression, String zone) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException(
          "A plan needs a schedule: minute hour day month weekday, e.g. '0 2 * * *' for 02:00"
              + " every day.");
    }
    try {
      this.times = ExecutionTime.forCron(UNIX.parse(expression.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "The schedule '"
              + expression.trim()
              + "' is not a cron expression of five fields (minute hour day month weekday), e.g."
              + " '0 2 * * *' for 02:00 every day or '30 22 * * 1-5' for 22:30 on weekdays: "
              + e.getMessage(),
          e);
    }
    this.zone = zone(zone);
    if (times.nextExecution(ZonedDateTime.now(this.zone)).isEmpty()) {
      throw new IllegalArgumentException(
          "The schedule '" + expression.trim() + "' never falls due; check its day and month.");
    }
  }

  private static ZoneId zone(String zone) {
    try {
      return ZoneId.of(zone == null || zone.isBlank() ? "UTC" : zone.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + zone + "' is not a time zone; use a name such as Europe/Berlin or UTC.", e);
    }
  }

  /** The newest due time at or before {@code now}, if the schedule had one. */
  public Optional<Instant> lastDue(Instant now) {
    if (times == null) {
      return Optional.empty();
    }
    // lastExecution looks strictly before its argument: a due time equal to now counts
    return times.lastExecution(now.atZone(zone).plusSeconds(1)).map(ZonedDateTime::toInstant);
  }

  /** The first due time after {@code now}. */
  public Optional<Instant> next(Instant now) {
    if (times == null) {
      return Optional.empty();
    }
    return times.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
  }

  public ZoneId zone() {
    return zone;
  }
}
