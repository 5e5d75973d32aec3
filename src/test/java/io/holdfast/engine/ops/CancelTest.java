package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.store.Repository;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CancelTest {

  @TempDir Path tmp;

  @Test
  void a_create_cancelled_midway_stops_and_commits_no_image() {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Cancellation cancel = new Cancellation();
    Progress cancelAfterFirstChunks =
        (phase, done, total) -> {
          if (done > 4L << 20) {
            cancel.cancel();
          }
        };
    assertThatThrownBy(
            () ->
                new CreateImage(repo, cancelAfterFirstChunks, cancel)
                    .run(ImageRoundTripTest.options("cancelled", Fixtures.gptDisk())))
        .isInstanceOf(Cancelled.class);
    assertThat(repo.listManifests()).isEmpty();
  }

  @Test
  void a_restore_cancelled_midway_stops() {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    String id =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("m", Fixtures.gptDisk()))
            .id();
    Cancellation cancel = new Cancellation();
    assertThatThrownBy(
            () ->
                new RestoreImage(repo, (phase, done, total) -> cancel.cancel(), cancel)
                    .run(new RestoreImage.Options(id, null, null, tmp.resolve("out.img"), false)))
        .isInstanceOf(Cancelled.class);
  }
}
