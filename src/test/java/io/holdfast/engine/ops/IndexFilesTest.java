package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Index files spare a reader opening every pack; they are a cache of the packs' own indexes, so
 * losing or damaging one costs time, never data, and verify still checks the packs themselves.
 */
class IndexFilesTest {

  @TempDir Path tmp;
  Repository repo;

  @BeforeEach
  void repository() {
    repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
  }

  @Test
  void a_reader_finds_chunks_through_the_index_file_and_verify_still_checks_the_packs()
      throws IOException {
    Manifest m = create("a", Fixtures.gptDisk());
    assertThat(repo.indexFiles()).hasSize(1);
    // tear the trailer off every pack: only the index file still says where their chunks lie
    List<Path> packs = packs();
    assertThat(packs).isNotEmpty();
    for (Path p : packs) {
      tearTrailer(p);
    }

    Path out = tmp.resolve("out.img");
    ImageRoundTripTest.restore(reopened(), m.id(), null, out);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), out);

    VerifyImages.Report r =
        new VerifyImages(reopened(), Progress.NONE, Cancellation.none()).run(List.of());
    assertThat(r.ok()).isFalse();
    assertThat(r.badChunks()).isNotEmpty();
    assertThat(r.badChunks())
        .allSatisfy(b -> assertThat(b.problem()).contains(packs.size() + " damaged pack(s)"));
  }

  @Test
  void a_damaged_or_lost_index_file_costs_time_not_data() throws IOException {
    Manifest m = create("a", Fixtures.gptDisk());
    Path index = repo.indexFiles().get(0);
    try (RandomAccessFile f = new RandomAccessFile(index.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0x01);
    }
    Path out = tmp.resolve("damaged-index.img");
    ImageRoundTripTest.restore(reopened(), m.id(), null, out);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), out);

    Files.delete(index);
    Path again = tmp.resolve("no-index.img");
    ImageRoundTripTest.restore(reopened(), m.id(), null, again);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), again);
    // the next backup deduplicates against the packs it read directly
    assertThat(create("a", Fixtures.gptDisk()).storedBytes()).isZero();
  }

  @Test
  void garbage_collection_leaves_one_index_file_naming_the_packs_left() throws IOException {
    Manifest gpt = create("gpt", Fixtures.gptDisk());
    Manifest mbr = create("mbr", Fixtures.mbrDisk());
    assertThat(repo.indexFiles()).hasSize(2);
    repo.deleteManifest(
        repo.listManifests().stream()
            .filter(r -> r.id().equals(gpt.id()))
            .findFirst()
            .orElseThrow());

    List<Path> before = repo.indexFiles();
    CollectGarbage.Report dry = new CollectGarbage(reopened()).run(Duration.ZERO, true);
    assertThat(dry.packsDeleted()).isPositive();
    assertThat(repo.indexFiles()).isEqualTo(before);
    try (Stream<Path> s = Files.list(repo.root().resolve("tmp"))) {
      assertThat(s.toList()).as("a dry run writes nothing").isEmpty();
    }

    CollectGarbage.Report r = new CollectGarbage(reopened()).run(Duration.ZERO, false);
    assertThat(r.packsDeleted()).isPositive();
    assertThat(repo.indexFiles()).hasSize(1);

    // with every pack's own index torn off, the one index file must name all that is left
    for (Path p : packs()) {
      tearTrailer(p);
    }
    Path out = tmp.resolve("mbr.img");
    ImageRoundTripTest.restore(reopened(), mbr.id(), null, out);
    Fixtures.assertSameWhereUsed(Fixtures.mbrDisk(), out);
  }

  private Manifest create(String machine, Path disk) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(ImageRoundTripTest.options(machine, disk));
  }

  private Repository reopened() {
    return Repository.open(repo.root(), null);
  }

  private List<Path> packs() throws IOException {
    try (Stream<Path> s = Files.walk(repo.root().resolve("packs"))) {
      return s.filter(p -> p.toString().endsWith(".pack")).toList();
    }
  }

  private static void tearTrailer(Path pack) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
      f.setLength(f.length() - 7);
    }
  }
}
