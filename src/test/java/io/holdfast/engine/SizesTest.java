package io.holdfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SizesTest {

  @Test
  void sizes_read_in_binary_units_with_three_figures_at_most() {
    assertThat(Sizes.human(0)).isEqualTo("0 B");
    assertThat(Sizes.human(1023)).isEqualTo("1023 B");
    assertThat(Sizes.human(1024)).isEqualTo("1.0 KiB");
    assertThat(Sizes.human(50_950_144)).isEqualTo("48.6 MiB");
    assertThat(Sizes.human(150L << 20)).isEqualTo("150 MiB");
    assertThat(Sizes.human(3_090_000_000L)).isEqualTo("2.9 GiB");
    assertThat(Sizes.human(Long.MAX_VALUE)).isEqualTo("8192 PiB");
  }
}
