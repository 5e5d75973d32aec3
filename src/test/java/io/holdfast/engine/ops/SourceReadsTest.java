package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.store.DirectIo;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Direct reads of a disk image whose size and wanted ranges are not aligned. */
class SourceReadsTest {

  private static final int CHUNK = 256 << 10;

  private Path dir;
  private Path file;
  private byte[] bytes;

  @BeforeEach
  void disk() throws Exception {
    dir = scratch("source-reads");
    file = dir.resolve("odd.img");
    bytes = new byte[(3 << 20) + 1234];
    new Random(7).nextBytes(bytes);
    Files.write(file, bytes);
  }

  @AfterEach
  void clean() throws Exception {
    remove(dir);
  }

  /** A new directory under target/, on the project's disk: a tmpfs /tmp might refuse O_DIRECT. */
  static Path scratch(String prefix) throws Exception {
    Files.createDirectories(Path.of("target"));
    return Files.createTempDirectory(Path.of("target"), prefix);
  }

  /** Deletes a {@link #scratch} directory and the files in it. */
  static void remove(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @Test
  void each_span_holds_the_disk_around_what_was_asked() {
    try (DiskSource disk = DiskSource.open(file);
        SourceReads reads = SourceReads.open(disk, CHUNK)) {
      assertThat(reads).as("this filesystem takes O_DIRECT").isNotNull();
      long[][] asked = {
        {0, CHUNK},
        {5000, 70_001},
        {CHUNK + 4096, 2L * CHUNK - 1},
        {bytes.length - 3000, bytes.length}
      };
      for (long[] a : asked) {
        SourceReads.Span span = reads.read(a[0], a[1]);
        assertThat(span.start()).isLessThanOrEqualTo(a[0]);
        assertThat(span.start() % 4096).isZero();
        assertThat(span.start() + span.valid()).isGreaterThanOrEqualTo(a[1]);
        byte[] got = new byte[(int) (a[1] - a[0])];
        assertThat(span.copy(a[0], ByteBuffer.wrap(got))).isEqualTo(got.length);
        assertThat(got).isEqualTo(Arrays.copyOfRange(bytes, (int) a[0], (int) a[1]));
        reads.release(span);
      }
    }
  }

  @Test
  void the_last_span_stops_at_the_end_of_the_disk() {
    try (DiskSource disk = DiskSource.open(file);
        SourceReads reads = SourceReads.open(disk, CHUNK)) {
      long from = bytes.length - 100;
      SourceReads.Span span = reads.read(from, from + 100);
      assertThat(span.start() + span.valid()).isEqualTo(bytes.length);
      byte[] got = new byte[500];
      ByteBuffer into = ByteBuffer.wrap(got);
      assertThat(span.copy(from, into)).as("only what the disk has").isEqualTo(100);
      assertThat(into.position()).isEqualTo(100);
      assertThat(Arrays.copyOf(got, 100))
          .isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 100, bytes.length));
    }
  }

  @Test
  void what_the_page_cache_holds_is_known() throws Exception {
    Path uncached = writeDirect(dir.resolve("direct.img"), 2 << 20);
    try (DiskSource cachedDisk = DiskSource.open(file);
        SourceReads cached = SourceReads.open(cachedDisk, CHUNK);
        DiskSource directDisk = DiskSource.open(uncached);
        SourceReads direct = SourceReads.open(directDisk, CHUNK)) {
      assertThat(cached.cached(0, bytes.length)).as("just written through the cache").isTrue();
      assertThat(direct.cached(0, 2 << 20)).as("written around the cache").isFalse();
    }
  }

  /** The bytes {@link #writeDirect} writes. */
  static byte[] randomBytes(int size) {
    byte[] random = new byte[size];
    new Random(11).nextBytes(random);
    return random;
  }

  /** A file of random bytes written with O_DIRECT, so that the page cache holds none of it. */
  static Path writeDirect(Path target, int size) throws Exception {
    ByteBuffer buf = DirectIo.alignedBuffer(size, 4096);
    buf.put(randomBytes(size)).flip();
    try (FileChannel ch =
        FileChannel.open(
            target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, DirectIo.option())) {
      while (buf.hasRemaining()) {
        ch.write(buf, buf.position());
      }
    }
    return target;
  }

  @Test
  void a_span_longer_than_planned_is_still_read_whole() {
    try (DiskSource disk = DiskSource.open(file);
        SourceReads reads = SourceReads.open(disk, CHUNK)) {
      reads.release(reads.read(0, CHUNK)); // a pooled buffer, too small for what follows
      SourceReads.Span span = reads.read(100, 3L * CHUNK + 100);
      byte[] got = new byte[3 * CHUNK];
      assertThat(span.copy(100, ByteBuffer.wrap(got))).isEqualTo(got.length);
      assertThat(got).isEqualTo(Arrays.copyOfRange(bytes, 100, 3 * CHUNK + 100));
    }
  }

  @Test
  void a_released_buffer_is_used_again() {
    try (DiskSource disk = DiskSource.open(file);
        SourceReads reads = SourceReads.open(disk, CHUNK)) {
      SourceReads.Span first = reads.read(0, CHUNK);
      reads.release(first);
      SourceReads.Span second = reads.read(CHUNK, 2 * CHUNK);
      assertThat(second.buffer()).isSameAs(first.buffer());
      SourceReads.Span third = reads.read(2 * CHUNK, 3 * CHUNK);
      assertThat(third.buffer()).as("one still held: a new one").isNotSameAs(second.buffer());
    }
  }
}
