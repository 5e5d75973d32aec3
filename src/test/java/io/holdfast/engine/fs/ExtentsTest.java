package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtentsTest {

  private static List<String> ranges(Extents x) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < x.count(); i++) {
      out.add(x.start(i) + "-" + x.end(i));
    }
    return out;
  }

  private static Extents of(long... bounds) {
    Extents.Builder b = new Extents.Builder();
    for (int i = 0; i < bounds.length; i += 2) {
      b.add(bounds[i], bounds[i + 1]);
    }
    return b.build();
  }

  @Test
  void the_builder_sorts_and_merges_overlapping_and_touching_ranges() {
    assertThat(ranges(of(50, 60, 10, 20, 15, 30, 30, 40, 70, 70)))
        .containsExactly("10-40", "50-60");
  }

  @Test
  void within_clips_the_first_and_last_range_and_keeps_the_ones_between() {
    Extents x = of(0, 10, 20, 30, 40, 50, 60, 70);
    assertThat(ranges(x.within(5, 45))).containsExactly("5-10", "20-30", "40-45");
    assertThat(ranges(x.within(20, 30))).containsExactly("20-30");
    assertThat(ranges(x.within(22, 28))).containsExactly("22-28");
    assertThat(ranges(x.within(0, 100))).isEqualTo(ranges(x));
  }

  @Test
  void within_a_gap_or_past_the_end_is_empty() {
    Extents x = of(0, 10, 20, 30);
    assertThat(x.within(10, 20).count()).isZero();
    assertThat(x.within(30, 99).count()).isZero();
    assertThat(x.within(5, 5).count()).isZero();
    assertThat(Extents.empty().within(0, 10).count()).isZero();
  }

  @Test
  void minus_leaves_what_the_other_set_does_not_cover() {
    Extents x = of(0, 100);
    assertThat(ranges(x.minus(of(10, 20, 50, 60, 90, 120))))
        .containsExactly("0-10", "20-50", "60-90");
    assertThat(x.minus(of(0, 100)).count()).isZero();
  }
}
