package io.holdfast.engine.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Tools;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The footer's geometry, against the one qemu-img writes for a fixed VHD of the same size. */
class VhdTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"25M", "96M", "1G", "40G", "200G"})
  void the_geometry_is_the_one_qemu_computes_for_the_same_size(String size) throws IOException {
    Path q = tmp.resolve("qemu.vhd");
    // without force_size, qemu rounds the size up to whole cylinders and writes their geometry
    Tools.check(
        "qemu-img", "create", "-q", "-f", "vpc", "-o", "subformat=fixed", q.toString(), size);
    long current;
    int geometry;
    try (RandomAccessFile f = new RandomAccessFile(q.toFile(), "r")) {
      f.seek(f.length() - 512 + 48);
      current = f.readLong();
      geometry = f.readInt();
    }
    assertThat(Integer.toHexString(Vhd.geometry(current))).isEqualTo(Integer.toHexString(geometry));
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {512, (24L << 20) + 1536, 1L << 30, 2040L << 30})
  void the_footer_sums_to_its_checksum_and_holds_the_size_rounded_to_a_mib(long bytes) {
    byte[] f = Vhd.footer(bytes, UUID.randomUUID(), Instant.parse("2026-12-04T00:00:00Z"));
    var b = java.nio.ByteBuffer.wrap(f);
    long mib = 1 << 20;
    assertThat(b.getLong(48)).isEqualTo((bytes + mib - 1) / mib * mib);
    assertThat(b.getInt(60)).as("fixed").isEqualTo(2);
    int sum = 0;
    for (int i = 0; i < f.length; i++) {
      if (i < 64 || i >= 68) {
        sum += f[i] & 0xFF;
      }
    }
    assertThat(b.getInt(64)).isEqualTo(~sum);
    // seconds since 2000-01-01
    assertThat(b.getInt(24)).isEqualTo(849_657_600);
  }
}
