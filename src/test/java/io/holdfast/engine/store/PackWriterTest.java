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
    assertThat(packs(repo.root())).hasSize(2).containsExactlyInAnyOrderElementsOf(written);
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
}
