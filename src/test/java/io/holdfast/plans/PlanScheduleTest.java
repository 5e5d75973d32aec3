package io.holdfast.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlanScheduleTest {

  @Test
  void a_daily_schedule_falls_due_at_its_time_in_its_zone() {
    PlanSchedule s = new PlanSchedule("0 2 * * *", "Europe/Berlin");
    // 02:00 in Berlin is 01:00 UTC in winter
    Instant before = Instant.parse("2026-12-02T00:59:00Z");
    assertThat(s.next(before)).contains(Instant.parse("2026-12-02T01:00:00Z"));
    assertThat(s.lastDue(before)).contains(Instant.parse("2026-12-01T01:00:00Z"));
    // a due time equal to now counts as due now
    assertThat(s.lastDue(Instant.parse("2026-12-02T01:00:00Z")))
        .contains(Instant.parse("2026-12-02T01:00:00Z"));
    // and in summer, 00:00 UTC
    assertThat(s.next(Instant.parse("2026-07-01T12:00:00Z")))
        .contains(Instant.parse("2026-07-02T00:00:00Z"));
  }

  @Test
  void weekdays_skip_the_weekend() {
    PlanSchedule s = new PlanSchedule("30 22 * * 1-5", "UTC");
    // Friday 2026-12-04 22:30, then Monday 2026-12-07 22:30
    assertThat(s.next(Instant.parse("2026-12-04T23:00:00Z")))
        .contains(Instant.parse("2026-12-07T22:30:00Z"));
  }

  @Test
  void a_bad_expression_or_zone_is_refused_with_what_to_write() {
    assertThatThrownBy(() -> new PlanSchedule("every night", "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'every night' is not a cron expression of five fields")
        .hasMessageContaining("'0 2 * * *'");
    assertThatThrownBy(() -> new PlanSchedule("0 2 * *", "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("five fields");
    assertThatThrownBy(() -> new PlanSchedule(" ", "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a schedule");
    assertThatThrownBy(() -> new PlanSchedule("0 2 * * *", "Mars/Olympus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Mars/Olympus' is not a time zone");
    assertThatThrownBy(() -> new PlanSchedule("0 2 31 2 *", "UTC"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never falls due");
  }

  @Test
  void no_zone_means_utc() {
    assertThat(new PlanSchedule("0 2 * * *", null).zone().getId()).isEqualTo("UTC");
  }
}
