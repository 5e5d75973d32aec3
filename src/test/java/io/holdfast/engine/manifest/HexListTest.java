package io.holdfast.engine.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.chunk.Digests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HexListTest {

  /** Entries over several pages and bit words, a third of them null, in runs and alone. */
  static List<String> sample(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[8];
      r.nextBytes(b);
      out.add((i / 700) % 3 == 1 || r.nextInt(7) == 0 ? null : Digests.sha256(b, 0, 8));
    }
    return out;
  }

  @Test
  void appended_entries_read_back_as_they_were() {
    List<String> want = sample(10_000, 1);
    HexList got = HexList.of(HexList.DIGEST, want);
    assertThat(got).isEqualTo(want);
    assertThat(got.size()).isEqualTo(10_000);
    assertThat(got.countPresent()).isEqualTo(want.stream().filter(s -> s != null).count());
    assertThat(HexList.of(HexList.DIGEST, List.of())).isEmpty();
    assertThat(HexList.of(HexList.DIGEST, Arrays.asList(null, null))).containsExactly(null, null);
  }

  @Test
  void slots_set_from_many_threads_in_any_order_build_the_same_list() {
    List<String> want = sample(20_000, 2);
    // room for every third entry's neighbours too: rooms left empty must not shift the others
    HexList.Slots slots =
        new HexList.Slots(HexList.DIGEST, want.size(), i -> want.get(i) != null || i % 3 == 0);
    IntStream.range(0, want.size())
        .parallel()
        .map(i -> want.size() - 1 - i)
        .filter(i -> want.get(i) != null)
        .forEach(i -> slots.set(i, want.get(i)));
    assertThat(slots.build()).isEqualTo(want);

    // fingerprints beside the digests, in the same room
    List<String> prints = want.stream().map(d -> d == null ? null : d.substring(0, 32)).toList();
    HexList.Slots parallel = slots.parallel(HexList.FINGERPRINT);
    IntStream.range(0, prints.size())
        .parallel()
        .filter(i -> prints.get(i) != null)
        .forEach(i -> parallel.set(i, prints.get(i)));
    assertThat(parallel.build()).isEqualTo(prints);
  }

  @Test
  void what_is_not_lowercase_hex_of_the_width_is_refused() {
    String digest = Digests.sha256(new byte[] {1}, 0, 1);
    assertThatThrownBy(() -> HexList.of(HexList.DIGEST, List.of(digest.substring(2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not 64 hex digits");
    assertThatThrownBy(() -> HexList.of(HexList.DIGEST, List.of(digest.toUpperCase())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lowercase");
    assertThatThrownBy(() -> HexList.of(HexList.FINGERPRINT, List.of(digest)))
        .hasMessageContaining("is not 32 hex digits");
    HexList.Slots slots = new HexList.Slots(HexList.DIGEST, 4, i -> i == 1);
    assertThatThrownBy(() -> slots.set(2, digest)).hasMessageContaining("no room");
  }
}
