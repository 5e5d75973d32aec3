package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.disk.DiskSource;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Groups of a disk read ahead of the cores, or left to the page cache. */
class ReadAheadTest {

  private static final int GROUP = 1 << 20;

  private Path dir;
  private Path uncached;
  private byte[] bytes;

  @BeforeEach
  void disk() throws Exception {
    dir = SourceReadsTest.scratch("read-ahead");
    uncached = SourceReadsTest.writeDirect(dir.resolve("direct.img"), 6 * GROUP);
    bytes = SourceReadsTest.randomBytes(6 * GROUP);
  }

  @AfterEach
  void clean() throws Exception {
    SourceReadsTest.remove(dir);
  }

  @Test
  void each_group_comes_back_as_its_plan_said_in_any_thread_order() {
    // group 2 holds nothing allocated; group 4 only a piece in its middle
    ReadAhead.Plan plan =
        g ->
            switch ((int) g) {
              case 2 -> null;
              case 4 -> new ReadAhead.Range(4L * GROUP + 5000, 4L * GROUP + 9000);
              default -> new ReadAhead.Range(g * GROUP, (g + 1) * GROUP);
            };
    try (DiskSource disk = DiskSource.open(uncached);
        SourceReads reads = SourceReads.open(disk, GROUP);
        ReadAhead ahead = new ReadAhead(reads, plan, 6, 2, 3)) {
      for (long g : new long[] {1, 0, 2, 3, 5, 4}) {
        SourceReads.Span span = ahead.take(g);
        ReadAhead.Range r = plan.range(g);
        if (r == null) {
          assertThat(span).as("nothing to read in group %d", g).isNull();
          continue;
        }
        assertThat(span).as("group %d is not in the page cache", g).isNotNull();
        byte[] got = new byte[(int) (r.end() - r.start())];
        assertThat(span.copy(r.start(), ByteBuffer.wrap(got))).isEqualTo(got.length);
        assertThat(got).isEqualTo(Arrays.copyOfRange(bytes, (int) r.start(), (int) r.end()));
        ahead.release(span);
      }
    }
  }

  @Test
  void a_group_in_the_page_cache_is_left_to_the_core() throws Exception {
    Path cached = dir.resolve("cached.img");
    Files.write(cached, bytes);
    try (DiskSource disk = DiskSource.open(cached);
        SourceReads reads = SourceReads.open(disk, GROUP);
        ReadAhead ahead =
            new ReadAhead(reads, g -> new ReadAhead.Range(g * GROUP, (g + 1) * GROUP), 6, 2, 3)) {
      for (long g = 0; g < 6; g++) {
        assertThat(ahead.take(g)).as("group %d", g).isNull();
      }
    }
  }
}
