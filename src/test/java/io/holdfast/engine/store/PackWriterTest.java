package io.holdfast.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.chunk.Digests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PackWriterTest {

  @TempDir Path tmp;

  private static byte[] chunk(int i) {
    return ByteBuffer.allocate(64).putInt(i).putInt(~i).array();
  }

  private static List<Path> packs(Path repo) throws IOException {
    try (Stream<Path> s = Files.walk(repo.resolve("packs"))) {
      return s.filter(f -> f.toString().endsWith(".pack")).toList();
    }
  }

  @Test
  void chunks_that_compress_to_almost_nothing_still_fill_bounded_packs() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    int n = PackWriter.MAX_BLOBS + 100; // far below TARGET's bytes: only the count finishes a pack
    List<Path> written = new ArrayList<>();
    try (PackWriter w = repo.writer(Compression.FAST, written::add)) {
      // from several threads at once, each chunk twice: the second put of a digest stores nothing
      long stored =
          IntStream.range(0, 2 * n)
              .parallel()
              .mapToLong(
                  i -> {
                    byte[] c = chunk(i % n);
                    return w.put(Digests.sha256(c, 0, c.length), c, c.length);
                  })
              .sum();
      w.finish();
      w.writeIndex();
      assertThat(stored).isPositive();
    }
    // two packs' worth of blobs; each thread that found the others' packs busy filled one more
    assertThat(packs(repo.root()))
        .hasSizeBetween(2, 1 + PackWriter.STRIPES)
        .containsExactlyInAnyOrderElementsOf(written);
    try (Stream<Path> s = Files.list(repo.root().resolve("tmp"))) {
      assertThat(s.toList()).as("nothing left in tmp/").isEmpty();
    }
    assertThat(repo.indexFiles()).hasSize(1);
    // a reader that knows the repository only from its index file finds every chunk, once each
    Repository again = Repository.open(repo.root(), null);
    assertThat(again.chunksStored()).isEqualTo(n);
    for (int i = 0; i < n; i += 997) {
      byte[] c = chunk(i);
      String d = Digests.sha256(c, 0, c.length);
      byte[] plain = new byte[64 * 1024];
      assertThat(again.decodeChunk(d, again.readBlob(d), plain)).isEqualTo(64);
    }
  }

  @Test
  void a_writer_that_stored_nothing_writes_no_index_file() {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    byte[] c = chunk(1);
    String d = Digests.sha256(c, 0, c.length);
    try (PackWriter w = repo.writer(Compression.FAST, p -> {})) {
      w.put(d, c, c.length);
      w.finish();
      w.writeIndex();
    }
    try (PackWriter w = repo.writer(Compression.FAST, p -> {})) {
      assertThat(w.put(d, c, c.length)).as("the repository holds it").isZero();
      w.finish();
      w.writeIndex();
    }
    assertThat(repo.indexFiles()).hasSize(1);
  }

  @Test
  void one_thread_fills_one_pack_at_a_time() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    try (PackWriter w = repo.writer(Compression.FAST, p -> {})) {
      for (int i = 0; i < 500; i++) {
        byte[] c = chunk(i);
        w.put(Digests.sha256(c, 0, c.length), c, c.length);
      }
      w.finish();
      w.writeIndex();
    }
    assertThat(packs(repo.root())).hasSize(1);
  }

  @ParameterizedTest(name = "direct I/O {0}")
  @ValueSource(booleans = {true, false})
  void threads_appending_at_once_each_fill_whole_readable_packs(boolean direct) throws Exception {
    // without direct writes the appending threads complete their packs themselves
    System.setProperty("holdfast.engine.direct-io", String.valueOf(direct));
    try {
      appendAtOnce();
    } finally {
      System.clearProperty("holdfast.engine.direct-io");
    }
  }

  private void appendAtOnce() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    int n = 640; // 40 MiB that zstd cannot shrink: more than two packs' target
    java.util.function.IntFunction<byte[]> noise =
        i -> {
          byte[] b = new byte[64 * 1024];
          new java.util.Random(i).nextBytes(b);
          return b;
        };
    List<Path> written = java.util.Collections.synchronizedList(new ArrayList<>());
    try (PackWriter w = repo.writer(Compression.FAST, written::add);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      List<java.util.concurrent.Future<Long>> puts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        puts.add(
            pool.submit(
                () -> {
                  byte[] c = noise.apply(k);
                  return w.put(Digests.sha256(c, 0, c.length), c, c.length);
                }));
      }
      long stored = 0;
      for (var f : puts) {
        stored += f.get();
      }
      w.finish();
      w.writeIndex();
      assertThat(stored).isGreaterThan((long) n * 64 * 1024);
    }
    long target = PackWriter.TARGET;
    assertThat(packs(repo.root()))
        .hasSizeBetween(3, (int) ((n * 65_600L + target - 1) / target) + PackWriter.STRIPES)
        .containsExactlyInAnyOrderElementsOf(written);
    try (Stream<Path> s = Files.list(repo.root().resolve("tmp"))) {
      assertThat(s.toList()).as("nothing left in tmp/").isEmpty();
    }
    Repository again = Repository.open(repo.root(), null);
    assertThat(again.chunksStored()).isEqualTo(n);
    byte[] plain = new byte[64 * 1024];
    for (int i = 0; i < n; i++) {
      byte[] c = noise.apply(i);
      String d = Digests.sha256(c, 0, c.length);
      assertThat(again.decodeChunk(d, again.readBlob(d), plain)).isEqualTo(c.length);
      assertThat(plain).isEqualTo(c);
    }
  }
}
