package io.holdfast.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MaintenanceScheduleTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  final MaintenanceSchedule nightly =
      new MaintenanceSchedule("0 3 * * *", BERLIN, Duration.ofHours(6));

  @Test
  void it_falls_due_at_three_in_its_zone_and_stays_due_through_the_window() {
    // 03:00 in Berlin on 1 December is 02:00 UTC
    Instant due = Instant.parse("2026-12-01T02:00:00Z");
    assertThat(nightly.dueAt(due)).contains(due);
    assertThat(nightly.dueAt(Instant.parse("2026-12-01T04:30:00Z"))).contains(due);
    assertThat(nightly.dueAt(Instant.parse("2026-12-01T07:59:59Z"))).contains(due);
  }

  @Test
  void before_it_falls_due_and_after_the_window_nothing_is_due() {
    assertThat(nightly.dueAt(Instant.parse("2026-12-01T08:00:00Z"))).isEmpty();
    assertThat(nightly.dueAt(Instant.parse("2026-12-01T20:00:00Z"))).isEmpty();
    assertThat(nightly.dueAt(Instant.parse("2026-12-02T01:59:00Z"))).isEmpty();
  }

  @Test
  void the_next_run_is_the_next_night_across_a_daylight_saving_change() {
    assertThat(nightly.next(Instant.parse("2026-12-01T12:00:00Z")))
        .contains(Instant.parse("2026-12-02T02:00:00Z"));
    // summer time in Berlin begins on 29 March 2026: 03:00 local is then 01:00 UTC
    assertThat(nightly.next(Instant.parse("2026-03-28T12:00:00Z")))
        .contains(Instant.parse("2026-03-29T01:00:00Z"));
  }

  @Test
  void a_weekly_schedule_is_due_on_its_day_only() {
    MaintenanceSchedule sundays =
        new MaintenanceSchedule("30 1 * * 0", ZoneId.of("UTC"), Duration.ofHours(2));
    // 6 December 2026 is a Sunday
    assertThat(sundays.dueAt(Instant.parse("2026-12-06T02:00:00Z")))
        .contains(Instant.parse("2026-12-06T01:30:00Z"));
    assertThat(sundays.dueAt(Instant.parse("2026-12-07T02:00:00Z"))).isEmpty();
  }

  @Test
  void a_bad_expression_window_or_zone_is_refused_naming_the_setting() {
    assertThatThrownBy(() -> new MaintenanceSchedule("every night", BERLIN, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holdfast.maintenance.schedule 'every night'")
        .hasMessageContaining("0 3 * * *");
    assertThatThrownBy(() -> new MaintenanceSchedule("0 3 * * *", BERLIN, Duration.ZERO))
        .hasMessageContaining("holdfast.maintenance.window");
    assertThatThrownBy(() -> MaintenanceSchedule.zone(Optional.of("Mars/Olympus")))
        .hasMessageContaining("holdfast.maintenance.zone 'Mars/Olympus'");
    assertThat(MaintenanceSchedule.zone(Optional.empty())).isEqualTo(ZoneId.systemDefault());
  }
}
