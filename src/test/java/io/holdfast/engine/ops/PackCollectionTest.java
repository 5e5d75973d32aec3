package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection in a repository of packs: whole packs go, mixed packs are rewritten. */
class PackCollectionTest {

  @TempDir Path tmp;

  @Test
  void unused_chunks_go_and_the_chunks_still_in_use_survive_a_rewrite() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    // one image of both disks: its packs hold the GPT disk's chunks, then the MBR disk's
    Manifest both =
        Imaging.imageOfDisks(repo, Compression.BALANCED, Fixtures.gptDisk(), Fixtures.mbrDisk());
    // another machine with the GPT disk alone stores nothing new
    Manifest gptOnly =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("gpt-only", Fixtures.gptDisk()));
    assertThat(gptOnly.storedBytes()).isZero();
    Set<String> inUse =
        gptOnly.disks().get(0).chunks().stream()
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    long before = Repository.open(repo.root(), null).chunksStored();
    assertThat(before).isGreaterThan(inUse.size());

    repo.deleteManifest(
        repo.listManifests().stream()
            .filter(r -> r.id().equals(both.id()))
            .findFirst()
            .orElseThrow());

    // within the grace period nothing goes
    CollectGarbage.Report young =
        new CollectGarbage(Repository.open(repo.root(), null)).run(Duration.ofHours(1), false);
    assertThat(young.chunksDeleted()).isZero();
    assertThat(young.chunksSpared()).isEqualTo(before - inUse.size());
    assertThat(Repository.open(repo.root(), null).chunksStored()).isEqualTo(before);

    CollectGarbage.Report dry =
        new CollectGarbage(Repository.open(repo.root(), null)).run(Duration.ZERO, true);
    assertThat(dry.chunksDeleted()).isEqualTo(before - inUse.size());
    assertThat(Repository.open(repo.root(), null).chunksStored()).isEqualTo(before);

    // a restore that read the packs' index before the collection moved chunks
    Repository stale = Repository.open(repo.root(), null);
    assertThat(stale.chunksStored()).isEqualTo(before);

    // each phase reports how far it is, so a long collection never looks stalled
    java.util.Set<String> phases = java.util.concurrent.ConcurrentHashMap.newKeySet();
    CollectGarbage.Report r =
        new CollectGarbage(
                Repository.open(repo.root(), null),
                (phase, done, total) -> {
                  assertThat(done).isLessThan(total);
                  phases.add(phase);
                })
            .run(Duration.ZERO, false);
    assertThat(phases)
        .containsExactlyInAnyOrder("marking chunks in use", "sweeping packs", "rewriting packs");
    assertThat(r.problems()).isEmpty();
    assertThat(r.chunksKept()).isEqualTo(inUse.size());
    assertThat(r.chunksDeleted()).isEqualTo(before - inUse.size());
    assertThat(r.packsRewritten()).as("the pack holding both disks' chunks").isPositive();
    assertThat(r.packsDeleted()).isGreaterThan(r.packsRewritten());
    assertThat(r.bytesDeleted()).isPositive();

    Repository after = Repository.open(repo.root(), null);
    assertThat(after.chunksStored()).isEqualTo(inUse.size());
    try (var tmpFiles = Files.list(repo.root().resolve("tmp"))) {
      assertThat(tmpFiles.toList()).isEmpty();
    }
    assertThat(new VerifyImages(after, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
    Path out = tmp.resolve("restored.img");
    ImageRoundTripTest.restore(after, gptOnly.id(), null, out);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), out);

    // the stale reader finds the moved chunks once it reads the index again (at most once a
    // second, so that a damaged repository does not make every missing chunk a rescan)
    Thread.sleep(1100);
    Path viaStale = tmp.resolve("stale.img");
    ImageRoundTripTest.restore(stale, gptOnly.id(), null, viaStale);
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), viaStale);

    // a second collection finds nothing more to do
    CollectGarbage.Report again = new CollectGarbage(after).run(Duration.ZERO, false);
    assertThat(again.chunksDeleted()).isZero();
    assertThat(again.packsDeleted()).isZero();
  }
}
