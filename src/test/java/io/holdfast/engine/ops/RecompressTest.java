package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.ChunkCodec;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recompression: packs written at the fast level are rewritten at a stronger one, safely. */
class RecompressTest {

  @TempDir Path tmp;

  @Test
  void packs_are_rewritten_at_the_stronger_level_and_every_image_still_restores() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest gpt = create(repo, "pc1", Fixtures.gptDisk());
    Set<String> chunksBefore = digests(repo);
    long bytesBefore = packBytes(repo);
    assertThat(packLevels(repo)).containsOnly(1);
    assertThat(blobLevels(repo)).containsOnly(1);

    Set<Path> files = packPaths(repo);
    RecompressPacks.Report dry =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.MAX, Long.MAX_VALUE, true);
    assertThat(dry.packsRewritten()).isEqualTo(files.size());
    assertThat(dry.bytesBefore()).isPositive();
    assertThat(packPaths(repo)).as("a dry run writes nothing").isEqualTo(files);

    // a restore that read the packs' index before the recompression moved every chunk
    Repository stale = Repository.open(repo.root(), null);
    assertThat(stale.chunksStored()).isEqualTo(chunksBefore.size());

    long[] lastDone = {0};
    RecompressPacks.Report r =
        new RecompressPacks(
                Repository.open(repo.root(), null),
                (phase, done, total) -> lastDone[0] = Math.max(lastDone[0], done),
                Cancellation.none())
            .run(Compression.MAX, Long.MAX_VALUE, false);
    assertThat(r.problems()).isEmpty();
    assertThat(r.packsRewritten()).isEqualTo(files.size());
    assertThat(r.chunksRecompressed()).isEqualTo(chunksBefore.size());
    assertThat(r.chunksCopied()).isZero();
    assertThat(r.bytesAfter()).isLessThan(r.bytesBefore());
    assertThat(lastDone[0]).isEqualTo(dry.bytesBefore());

    Repository after = Repository.open(repo.root(), null);
    assertThat(digests(after)).isEqualTo(chunksBefore);
    assertThat(packPaths(after)).doesNotContainAnyElementsOf(files);
    assertThat(packLevels(after)).containsOnly(19);
    assertThat(blobLevels(after)).containsOnly(19);
    assertThat(packBytes(after)).isLessThan(bytesBefore);
    try (Stream<Path> left = Files.list(repo.root().resolve("tmp"))) {
      assertThat(left.toList()).isEmpty();
    }
    assertThat(new VerifyImages(after, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
    assertRestores(after, gpt, Fixtures.gptDisk(), "restored.img");

    // the stale reader finds the moved chunks once it reads the index again
    Thread.sleep(1100);
    assertRestores(stale, gpt, Fixtures.gptDisk(), "stale.img");

    // the next backup of the same disk finds every chunk in the recompressed packs
    assertThat(create(Repository.open(repo.root(), null), "pc1", Fixtures.gptDisk()).storedBytes())
        .isZero();

    // nothing is left to do, and nothing changes, not even the index files
    Set<Path> recompressed = packPaths(after);
    List<Path> indexFiles = after.indexFiles();
    RecompressPacks.Report again =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.MAX, Long.MAX_VALUE, false);
    assertThat(again.packsRewritten()).isZero();
    assertThat(packPaths(after)).isEqualTo(recompressed);
    assertThat(after.indexFiles()).isEqualTo(indexFiles);
  }

  @Test
  void a_pack_that_predates_recorded_levels_is_taken_and_blobs_at_the_level_are_copied()
      throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    create(repo, "pc1", Fixtures.mbrDisk(), Compression.MAX);
    long bytes = blobBytes(repo);
    // packs of engines before 0.5 have 0 where the level now is
    for (Path p : packPaths(repo)) {
      try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
        f.seek(5);
        f.write(0);
      }
    }
    assertThat(packLevels(Repository.open(repo.root(), null))).containsOnly(0);

    RecompressPacks.Report r =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.MAX, Long.MAX_VALUE, false);
    assertThat(r.packsRewritten()).isPositive();
    assertThat(r.chunksRecompressed()).isZero();
    assertThat(r.chunksCopied()).isEqualTo(digests(repo).size());
    assertThat(r.bytesAfter()).isEqualTo(r.bytesBefore());
    Repository after = Repository.open(repo.root(), null);
    assertThat(packLevels(after)).containsOnly(19);
    // the blobs, not the packs: how many packs hold them (28 bytes of header and trailer each)
    // depends on how the two imaging threads met the writer's stripes
    assertThat(blobBytes(after)).isEqualTo(bytes);
    assertThat(new VerifyImages(after, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
  }

  @Test
  void the_budget_bounds_a_run_and_the_next_run_goes_on() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    create(repo, "pc1", Fixtures.gptDisk());
    create(repo, "pc2", Fixtures.mbrDisk());
    int packs = packPaths(repo).size();
    assertThat(packs).as("each backup wrote its own pack").isGreaterThanOrEqualTo(2);

    RecompressPacks.Report first =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.BALANCED, 1, false);
    assertThat(first.packsRewritten()).isEqualTo(1);
    assertThat(first.packsLeft()).isEqualTo(packs - 1);
    assertThat(packLevels(Repository.open(repo.root(), null))).containsOnly(1, 3);

    RecompressPacks.Report rest =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.BALANCED, Long.MAX_VALUE, false);
    assertThat(rest.packsRewritten()).isEqualTo(packs - 1);
    assertThat(rest.packsLeft()).isZero();
    Repository after = Repository.open(repo.root(), null);
    assertThat(packLevels(after)).containsOnly(3);
    assertThat(new VerifyImages(after, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
  }

  @Test
  void a_damaged_chunk_keeps_its_pack_as_it_is_and_the_other_packs_are_rewritten()
      throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest gpt = create(repo, "pc1", Fixtures.gptDisk());
    Set<Path> gptPacks = packPaths(repo);
    Manifest mbr = create(repo, "pc2", Fixtures.mbrDisk());
    Set<Path> mbrPacks = packPaths(repo);
    mbrPacks.removeAll(gptPacks);
    assertThat(mbrPacks).isNotEmpty();

    // flip a byte inside the first blob of a pack of the GPT disk's image
    Path damagedPack = gptPacks.iterator().next();
    Repository.PackedChunk victim = chunksOf(repo, damagedPack).get(0);
    try (RandomAccessFile f = new RandomAccessFile(damagedPack.toFile(), "rw")) {
      long at = victim.offset() + ChunkCodec.HEADER + 3;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }

    RecompressPacks.Report r =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.BALANCED, Long.MAX_VALUE, false);
    assertThat(r.problems())
        .singleElement()
        .asString()
        .contains(damagedPack.getFileName().toString())
        .contains(victim.digest())
        .contains("verify");
    assertThat(r.packsRewritten()).isEqualTo(gptPacks.size() + mbrPacks.size() - 1);
    Set<Path> now = packPaths(repo);
    assertThat(now).contains(damagedPack).doesNotContainAnyElementsOf(mbrPacks);

    // verify still names the damaged chunk and the image that needs it; the other image is sound
    VerifyImages.Report v =
        new VerifyImages(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(List.of());
    assertThat(v.badChunks())
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.digest()).isEqualTo(victim.digest());
              assertThat(b.images()).containsExactly(gpt.id());
            });
    assertRestores(Repository.open(repo.root(), null), mbr, Fixtures.mbrDisk(), "mbr.img");
  }

  @Test
  void a_cancelled_run_keeps_what_it_finished_and_loses_nothing() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest gpt = create(repo, "pc1", Fixtures.gptDisk());
    Manifest mbr = create(repo, "pc2", Fixtures.mbrDisk());
    Set<String> chunks = digests(repo);

    Cancellation cancel = Cancellation.none();
    assertThatThrownBy(
            () ->
                new RecompressPacks(
                        Repository.open(repo.root(), null),
                        (phase, done, total) -> {
                          if (done > 0) {
                            cancel.cancel();
                          }
                        },
                        cancel)
                    .run(Compression.BALANCED, Long.MAX_VALUE, false))
        .isInstanceOf(Cancelled.class);

    Repository after = Repository.open(repo.root(), null);
    assertThat(digests(after)).isEqualTo(chunks);
    assertThat(packLevels(after)).contains(1);
    try (Stream<Path> left = Files.list(repo.root().resolve("tmp"))) {
      assertThat(left.toList()).isEmpty();
    }
    assertThat(new VerifyImages(after, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();

    RecompressPacks.Report rest =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.BALANCED, Long.MAX_VALUE, false);
    assertThat(rest.packsRewritten()).isPositive();
    Repository done = Repository.open(repo.root(), null);
    assertThat(packLevels(done)).containsOnly(3);
    assertRestores(done, gpt, Fixtures.gptDisk(), "gpt.img");
    assertRestores(done, mbr, Fixtures.mbrDisk(), "mbr.img");
  }

  @Test
  void a_recompression_and_a_collection_never_run_at_once() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    create(repo, "pc1", Fixtures.mbrDisk());
    Set<Path> packs = packPaths(repo);
    try (Repository.MaintenanceLock held = repo.lockMaintenance("garbage collection")) {
      assertThatThrownBy(
              () ->
                  new RecompressPacks(
                          Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
                      .run(Compression.STRONG, Long.MAX_VALUE, false))
          .hasMessageContaining("Another maintenance operation is running on " + repo.root())
          .hasMessageContaining(
              "(garbage collection, process " + ProcessHandle.current().pid() + ", since ")
          .hasMessageContaining("try again once it has ended");
      assertThatThrownBy(
              () ->
                  new CollectGarbage(Repository.open(repo.root(), null)).run(Duration.ZERO, false))
          .hasMessageContaining("Another maintenance operation is running");
      assertThat(packPaths(repo)).isEqualTo(packs);
      // a dry run changes nothing and needs no lock
      assertThat(
              new RecompressPacks(
                      Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
                  .run(Compression.STRONG, Long.MAX_VALUE, true)
                  .packsRewritten())
          .isEqualTo(packs.size());
    }
    RecompressPacks.Report r =
        new RecompressPacks(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
            .run(Compression.STRONG, Long.MAX_VALUE, false);
    assertThat(r.packsRewritten()).isEqualTo(packs.size());
    assertThat(new CollectGarbage(Repository.open(repo.root(), null)).run(Duration.ZERO, false))
        .satisfies(gc -> assertThat(gc.problems()).isEmpty());
  }

  @Test
  void a_lock_held_by_another_process_is_respected_and_gone_when_it_ends() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    create(repo, "pc1", Fixtures.mbrDisk());
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder =
        new ProcessBuilder(
                javaBin.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolder.class.getName(),
                repo.root().toString(),
                "garbage collection")
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("locked");
      assertThatThrownBy(
              () ->
                  new RecompressPacks(
                          Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
                      .run(Compression.STRONG, Long.MAX_VALUE, false))
          .hasMessageContaining("(garbage collection, process " + holder.pid() + ", since ");
    } finally {
      holder.getOutputStream().close();
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(holder.exitValue()).isZero();
    assertThat(
            new RecompressPacks(
                    Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
                .run(Compression.STRONG, Long.MAX_VALUE, false)
                .packsRewritten())
        .isPositive();
  }

  @Test
  void no_level_to_compress_with_is_refused() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    assertThatThrownBy(
            () ->
                new RecompressPacks(repo, Progress.NONE, Cancellation.none())
                    .run(Compression.NONE, Long.MAX_VALUE, false))
        .hasMessageContaining("fast, balanced, strong or max");
  }

  /** Restores {@code image} to a new file and checks it against {@code disk} where it is used. */
  private void assertRestores(Repository repo, Manifest image, Path disk, String name)
      throws IOException {
    Path out = tmp.resolve(name);
    ImageRoundTripTest.restore(repo, image.id(), null, out);
    Fixtures.assertSameWhereUsed(disk, out);
  }

  private static Manifest create(Repository repo, String machine, Path disk) {
    return create(repo, machine, disk, Compression.FAST);
  }

  private static Manifest create(
      Repository repo, String machine, Path disk, Compression compression) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(
            new CreateImage.Options(
                machine, List.of(CreateImage.DiskSpec.whole(disk)), compression, true, 2));
  }

  private static List<Repository.StoredPack> packs(Repository repo) {
    List<Repository.StoredPack> packs = new ArrayList<>();
    repo.forEachPack(packs::add, d -> {});
    return packs;
  }

  private static Set<Path> packPaths(Repository repo) {
    Set<Path> paths = new TreeSet<>();
    packs(repo).forEach(p -> paths.add(p.path()));
    return paths;
  }

  private static long packBytes(Repository repo) {
    return packs(repo).stream().mapToLong(Repository.StoredPack::bytes).sum();
  }

  private static long blobBytes(Repository repo) {
    return packs(repo).stream()
        .flatMap(p -> p.chunks().stream())
        .mapToLong(Repository.PackedChunk::length)
        .sum();
  }

  private static Set<Integer> packLevels(Repository repo) {
    Set<Integer> levels = new TreeSet<>();
    packs(repo).forEach(p -> levels.add(p.level()));
    return levels;
  }

  private static Set<String> digests(Repository repo) {
    Set<String> d = new TreeSet<>();
    packs(repo).forEach(p -> p.chunks().forEach(c -> d.add(c.digest())));
    return d;
  }

  private static List<Repository.PackedChunk> chunksOf(Repository repo, Path pack) {
    return packs(repo).stream()
        .filter(p -> p.path().equals(pack))
        .findFirst()
        .orElseThrow()
        .chunks();
  }

  /** The level each blob's header records, read from the packs. */
  private static Set<Integer> blobLevels(Repository repo) throws IOException {
    Set<Integer> levels = new TreeSet<>();
    for (Repository.StoredPack p : packs(repo)) {
      for (Repository.PackedChunk c : p.chunks()) {
        levels.add(ChunkCodec.level(repo.readBlob(p.path(), c.offset(), c.length())));
      }
    }
    return levels;
  }
}
