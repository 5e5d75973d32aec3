package io.holdfast.engine.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.EngineException;
import org.junit.jupiter.api.Test;

class CompressionTest {

  @Test
  void nothing_chosen_means_the_standard_level_zstd_1() {
    assertThat(Compression.parse(null)).isSameAs(Compression.STANDARD).isSameAs(Compression.FAST);
    assertThat(Compression.parse(" ")).isSameAs(Compression.FAST);
    assertThat(Compression.FAST.zstdLevel()).isEqualTo(1);
  }

  @Test
  void the_old_name_default_still_means_zstd_3() {
    assertThat(Compression.parse("default")).isSameAs(Compression.BALANCED);
    assertThat(Compression.parse("Balanced").zstdLevel()).isEqualTo(3);
  }

  @Test
  void strong_is_zstd_15_and_max_zstd_19() {
    assertThat(Compression.parse("strong").zstdLevel()).isEqualTo(15);
    assertThat(Compression.parse("MAX").zstdLevel()).isEqualTo(19);
  }

  @Test
  void an_unknown_level_names_the_choices() {
    assertThatThrownBy(() -> Compression.parse("ultra"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("'ultra'")
        .hasMessageContaining("none, fast, balanced, strong, max");
  }
}
