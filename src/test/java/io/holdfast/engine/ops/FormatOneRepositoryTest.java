package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository of engine 0.2 (format 1: one file per chunk) still opens, restores and grows. */
class FormatOneRepositoryTest {

  @TempDir Path tmp;

  @Test
  void chunk_files_are_read_reused_and_collected_beside_packs() throws Exception {
    Path root = tmp.resolve("repo");
    Repository repo = Repository.init(root, 64 * 1024, null);
    Manifest old =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("pc", Fixtures.gptDisk()));
    java.util.Set<String> loose = unpack(repo);

    Repository v1 = Repository.open(root, null);
    long chunks = v1.chunksStored();
    assertThat(chunks).isPositive();
    assertThat(new VerifyImages(v1, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
    Path out = tmp.resolve("out.img");
    ImageRoundTripTest.restore(v1, old.id(), null, out);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), out);

    // a full image of the same disk finds every chunk in the chunk files and stores nothing
    Manifest again =
        new CreateImage(v1, Progress.NONE, Cancellation.none())
            .run(
                new CreateImage.Options(
                    "pc",
                    List.of(CreateImage.DiskSpec.whole(Fixtures.gptDisk())),
                    io.holdfast.engine.chunk.Compression.BALANCED,
                    false,
                    2));
    assertThat(again.storedBytes()).isZero();
    // new chunks go to packs, beside the chunk files
    Manifest other =
        new CreateImage(v1, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("other", Fixtures.mbrDisk()));
    long sharedWithOld =
        other.disks().get(0).chunks().stream().distinct().filter(loose::contains).count();
    assertThat(Repository.open(root, null).chunksStored()).isGreaterThan(chunks);

    // without the first two images, the chunk files go and the packs stay
    for (Repository.ManifestRef ref : v1.listManifests()) {
      if (ref.machine().equals("pc")) {
        v1.deleteManifest(ref);
      }
    }
    CollectGarbage.Report r =
        new CollectGarbage(Repository.open(root, null)).run(Duration.ZERO, false);
    assertThat(r.packsDeleted()).isZero();
    assertThat(r.chunksDeleted()).isEqualTo(chunks - sharedWithOld);
    try (var s = Files.walk(root.resolve("chunks"))) {
      assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(sharedWithOld);
    }
    assertThat(
            new VerifyImages(Repository.open(root, null), Progress.NONE, Cancellation.none())
                .run(List.of())
                .ok())
        .isTrue();
  }

  /** Turns the repository into format 1: every blob in its own file, no packs. */
  private static java.util.Set<String> unpack(Repository repo) throws Exception {
    java.util.Set<String> digests = new java.util.HashSet<>();
    List<Repository.StoredPack> packs = new ArrayList<>();
    repo.forEachPack(packs::add, damaged -> {});
    for (Repository.StoredPack p : packs) {
      for (Repository.PackedChunk c : p.chunks()) {
        String d = c.digest();
        digests.add(d);
        Path f =
            repo.root()
                .resolve("chunks")
                .resolve(d.substring(0, 2))
                .resolve(d.substring(2, 4))
                .resolve(d);
        Files.createDirectories(f.getParent());
        Files.write(f, repo.readBlob(p.path(), c.offset(), c.length()));
      }
      Files.delete(p.path());
    }
    Path config = repo.root().resolve("config.json");
    Files.writeString(
        config, Files.readString(config).replaceFirst("\"format\"\\s*:\\s*2", "\"format\" : 1"));
    assertThat(Files.readString(config)).contains("\"format\" : 1");
    return digests;
  }
}
