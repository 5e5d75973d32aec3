package io.holdfast.maintenance;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * When maintenance falls due: a Unix cron expression in a time zone, and a window after each due
 * time in which it may still start (a console that was down at 03:00 and is back at 04:00 still
 * queues that night's run; one back at noon waits for the next night).
 */
public final class MaintenanceSchedule {

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String expression;
  private final ExecutionTime times;
  private final ZoneId zone;
  private final Duration window;

  /**
   * @throws IllegalArgumentException naming the setting when the expression or zone is not valid
   */
  public MaintenanceSchedule(String expression, ZoneId zone, Duration window) {
    try {
      this.times = ExecutionTime.forCron(UNIX.parse(expression.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.schedule '"
              + expression
              + "' is not a Unix cron expression (minute hour day month weekday, e.g. '0 3 * * *'): "
              + e.getMessage(),
          e);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.window must be positive, e.g. PT6H; it is " + window + ".");
    }
    this.expression = expression.trim();
    this.zone = zone;
    this.window = window;
  }

  static ZoneId zone(Optional<String> setting) {
    try {
      return setting.map(ZoneId::of).orElse(ZoneId.systemDefault());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.zone '"
              + setting.get()
              + "' is not a time zone, e.g. Europe/Berlin.",
          e);
    }
  }

  /** The due time whose window holds {@code now}, if any. */
  public Optional<Instant> dueAt(Instant now) {
    ZonedDateTime at = now.atZone(zone);
    // a due time equal to now counts: lastExecution looks strictly before its argument
    return times
        .lastExecution(at.plusSeconds(1))
        .map(ZonedDateTime::toInstant)
        .filter(due -> now.isBefore(due.plus(window)));
  }

  /** The next due time after {@code now}. */
  public Optional<Instant> next(Instant now) {
    return times.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
  }

  public Duration window() {
    return window;
  }

  @Override
  public String toString() {
    return "'" + expression + "' (" + zone + ")";
  }
}
