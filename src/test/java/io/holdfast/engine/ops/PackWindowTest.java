package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which blobs one read of a pack gathers. */
class PackWindowTest {

  private static final Path A = Path.of("packs/aa/a.pack");
  private static final Path B = Path.of("packs/bb/b.pack");
  private static final int BLOB = 100 << 10;

  @Test
  void neighbours_join_in_any_order_until_the_read_would_be_too_long() {
    PackWindow<String> w = new PackWindow<>();
    assertThat(w.accepts(A, 2 * BLOB, BLOB, 8)).isTrue();
    w.add("c", A, 2 * BLOB, BLOB);
    // a backup's threads store neighbouring chunks out of order: the one before still joins
    assertThat(w.accepts(A, BLOB, BLOB, 8)).isTrue();
    w.add("b", A, BLOB, BLOB);
    w.add("d", A, 3 * BLOB, BLOB);
    assertThat(w.from()).isEqualTo(BLOB);
    assertThat(w.span()).isEqualTo(3 * BLOB);
    w.add("e", A, 4 * BLOB, BLOB);
    // a fifth blob, after or before, would make a 500 KiB read, more than a window takes
    assertThat(w.accepts(A, 5 * BLOB, BLOB, 8)).isFalse();
    assertThat(w.accepts(A, 0, BLOB, 8)).isFalse();
    assertThat(w.accepts(A, 5 * BLOB, 80 << 10, 8)).as("a smaller one still fits").isTrue();
    assertThat(w.accepts(B, 5 * BLOB, 1, 8)).as("another pack").isFalse();
    assertThat(w.accepts(A, 5 * BLOB, 1, 4)).as("as many blobs as the caller allows").isFalse();
  }

  @Test
  void unwanted_bytes_between_blobs_are_read_only_up_to_the_gap() {
    PackWindow<String> w = new PackWindow<>();
    w.add("a", A, 0, 10 << 10);
    assertThat(w.accepts(A, (10 << 10) + PackWindow.GAP, 10 << 10, 8)).isTrue();
    assertThat(w.accepts(A, (10 << 10) + PackWindow.GAP + 1, 10 << 10, 8)).isFalse();
    w.add("b", A, (10 << 10) + PackWindow.GAP, 10 << 10);
    // the gap is spent: the next blob must follow without one
    assertThat(w.accepts(A, (20 << 10) + PackWindow.GAP, 1 << 10, 8)).isTrue();
    assertThat(w.accepts(A, (20 << 10) + PackWindow.GAP + 1, 1 << 10, 8)).isFalse();
  }

  @Test
  void a_blob_larger_than_a_window_is_read_alone() {
    PackWindow<String> w = new PackWindow<>();
    assertThat(w.accepts(A, 0, PackWindow.BYTES + 1, 8)).isTrue();
    w.add("huge", A, 0, PackWindow.BYTES + 1);
    assertThat(w.accepts(A, PackWindow.BYTES + 1, 1, 8)).isFalse();
  }

  @Test
  void each_blob_is_cut_from_the_read_by_its_offset() {
    PackWindow<String> w = new PackWindow<>();
    w.add("second", A, 104, 4);
    w.add("first", A, 100, 4);
    byte[] read = {10, 11, 12, 13, 20, 21, 22, 23};
    assertThat(w.slice(read, w.blobs().get(0))).containsExactly(20, 21, 22, 23);
    assertThat(w.slice(read, w.blobs().get(1))).containsExactly(10, 11, 12, 13);
  }
}
