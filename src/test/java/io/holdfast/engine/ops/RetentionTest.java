package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {

  /** One image every 6 hours for 60 days, ending at a fixed instant. */
  private static List<Retention.Item> sixHourly() {
    Instant end = Instant.parse("2026-03-31T18:00:00Z");
    List<Retention.Item> items = new ArrayList<>();
    for (int i = 0; i < 4 * 60; i++) {
      Instant t = end.minus(Duration.ofHours(6L * i));
      items.add(new Retention.Item("img-" + i, t));
    }
    return items;
  }

  private static List<String> kept(List<Retention.Decision> d) {
    return d.stream().filter(Retention.Decision::keep).map(x -> x.item().id()).toList();
  }

  @Test
  void keep_last_keeps_the_newest_ones() {
    var d = new Retention(3, 0, 0, 0, 0, 0).apply(sixHourly(), ZoneOffset.UTC);
    assertThat(kept(d)).containsExactly("img-0", "img-1", "img-2");
  }

  @Test
  void keep_daily_keeps_the_newest_image_of_each_of_the_last_days() {
    var d = new Retention(0, 0, 7, 0, 0, 0).apply(sixHourly(), ZoneOffset.UTC);
    // img-0 is 18:00 on the 31st; the newest of the 30th is img-4 (18:00), and so on
    assertThat(kept(d))
        .containsExactly("img-0", "img-4", "img-8", "img-12", "img-16", "img-20", "img-24");
  }

  @Test
  void rules_combine_and_every_kept_image_says_why() {
    var d = new Retention(2, 0, 3, 2, 2, 0).apply(sixHourly(), ZoneOffset.UTC);
    var first = d.get(0);
    assertThat(first.reasons()).containsExactly("last", "daily", "weekly", "monthly");
    long monthlyKept = d.stream().filter(x -> x.reasons().contains("monthly")).count();
    assertThat(monthlyKept).isEqualTo(2);
    assertThat(d.stream().filter(x -> !x.keep()).count()).isGreaterThan(200);
  }

  @Test
  void a_retention_that_keeps_nothing_is_refused() {
    assertThatThrownBy(() -> new Retention(0, 0, 0, 0, 0, 0).apply(sixHourly(), ZoneOffset.UTC))
        .hasMessageContaining("keeps nothing");
  }
}
