package io.holdfast.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackIndexTest {

  private static byte[] digest(int i) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(("chunk " + i).getBytes());
  }

  @Test
  void finds_every_added_digest_across_growth_and_nothing_else() throws Exception {
    PackIndex index = new PackIndex();
    Random r = new Random(5);
    int n = 50_000; // many times the initial capacity
    long[] offsets = new long[n];
    for (int i = 0; i < n; i++) {
      offsets[i] = r.nextLong(1L << 32);
      assertThat(index.add(digest(i), i % 777, offsets[i], 24 + i)).isTrue();
    }
    assertThat(index.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(index.find(digest(i)))
          .isEqualTo(new PackIndex.Location(i % 777, offsets[i], 24 + i));
    }
    for (int i = n; i < n + 1000; i++) {
      assertThat(index.find(digest(i))).isNull();
    }
  }

  @Test
  void a_digest_stored_twice_keeps_its_first_place() throws Exception {
    PackIndex index = new PackIndex();
    assertThat(index.add(digest(1), 3, 8, 100)).isTrue();
    assertThat(index.add(digest(1), 4, 16, 200)).isFalse();
    assertThat(index.find(digest(1))).isEqualTo(new PackIndex.Location(3, 8, 100));
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void a_digest_set_claims_each_member_once_across_growth() throws Exception {
    DigestSet set = new DigestSet();
    java.util.HexFormat hex = java.util.HexFormat.of();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      assertThat(set.add(hex.formatHex(digest(i)))).isTrue();
    }
    assertThat(set.add(hex.formatHex(digest(7)))).isFalse();
    assertThat(set.size()).isEqualTo(n);
    for (int i = 0; i < n; i += 3) {
      assertThat(set.claim(hex.formatHex(digest(i)))).isTrue();
    }
    for (int i = 0; i < n; i++) {
      String d = hex.formatHex(digest(i));
      assertThat(set.contains(d)).isTrue();
      assertThat(set.claim(d)).as("digest %d", i).isEqualTo(i % 3 != 0);
    }
    String stranger = hex.formatHex(digest(n + 1));
    assertThat(set.contains(stranger)).isFalse();
    assertThat(set.claim(stranger)).isFalse();
  }
}
