package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting the images a console's retention let go, on a real repository of real disks. */
class PruneDeleteTest {

  @TempDir Path tmp;

  @Test
  void named_images_of_the_machine_go_gone_ones_are_reported_and_gc_frees_their_chunks()
      throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest old = create(repo, "pc1", Fixtures.mbrDisk());
    Manifest kept = create(repo, "pc1", Fixtures.gptDisk());
    Manifest other = create(repo, "pc2", Fixtures.plainDisk("ext4"));

    PruneImages.Deleted d = new PruneImages(repo).delete("pc1", List.of(old.id(), "gone-already"));

    assertThat(d.removed()).containsExactly(old.id());
    assertThat(d.missing()).containsExactly("gone-already");
    assertThat(ids(repo)).containsExactlyInAnyOrder(kept.id(), other.id());
    // the remaining images are whole, and collection with no grace removes only what none uses
    CollectGarbage.Report gc = new CollectGarbage(repo).run(Duration.ZERO, false);
    assertThat(gc.problems()).isEmpty();
    assertThat(gc.chunksDeleted()).as("chunks only the deleted image used").isPositive();
    assertThat(
            new VerifyImages(Repository.open(repo.root(), null), Progress.NONE, Cancellation.none())
                .run(List.of())
                .ok())
        .isTrue();
  }

  @Test
  void an_image_of_another_machine_is_refused_and_nothing_is_deleted() throws Exception {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest mine = create(repo, "pc1", Fixtures.mbrDisk());
    Manifest theirs = create(repo, "pc2", Fixtures.mbrDisk());

    assertThatThrownBy(() -> new PruneImages(repo).delete("pc1", List.of(mine.id(), theirs.id())))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("belongs to pc2, not pc1; nothing deleted");
    assertThat(ids(repo)).containsExactlyInAnyOrder(mine.id(), theirs.id());
  }

  private static List<String> ids(Repository repo) {
    return repo.listManifests().stream().map(Repository.ManifestRef::id).toList();
  }

  private static Manifest create(Repository repo, String machine, Path disk) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(
            new CreateImage.Options(
                machine, List.of(CreateImage.DiskSpec.whole(disk)), Compression.FAST, true, 2));
  }
}
