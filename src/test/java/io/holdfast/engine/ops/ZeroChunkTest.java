package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which chunks count as all zeros, and so are never stored. */
class ZeroChunkTest {

  @Test
  void a_chunk_larger_than_the_zero_pattern_is_checked_to_its_last_byte() {
    byte[] chunk = new byte[(4 << 20) + 123];
    assertThat(CreateImage.isZero(chunk, chunk.length)).isTrue();
    chunk[chunk.length - 1] = 1;
    assertThat(CreateImage.isZero(chunk, chunk.length)).isFalse();
    assertThat(CreateImage.isZero(chunk, chunk.length - 1))
        .as("a byte past the chunk's length does not count")
        .isTrue();
    chunk[(64 << 10) + 5] = 7;
    assertThat(CreateImage.isZero(chunk, chunk.length - 1)).isFalse();
    assertThat(CreateImage.isZero(chunk, 64 << 10)).isTrue();
    assertThat(CreateImage.isZero(chunk, 0)).isTrue();
  }
}
