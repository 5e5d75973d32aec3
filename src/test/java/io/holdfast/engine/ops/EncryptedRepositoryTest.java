package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedRepositoryTest {

  @TempDir Path tmp;

  @Test
  void an_encrypted_repository_round_trips_and_hides_the_data() throws IOException {
    char[] pass = "correct horse battery staple".toCharArray();
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, pass);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("sec", Fixtures.gptDisk()));

    Repository reopened = Repository.open(tmp.resolve("repo"), pass);
    assertThat(new VerifyImages(reopened, Progress.NONE, Cancellation.none()).run(List.of()).ok())
        .isTrue();
    Path ext = tmp.resolve("p2.img");
    ImageRoundTripTest.restore(reopened, m.id(), 2, ext);
    assertThat(Tools.run("fsck.ext4", "-fn", ext.toString()).exit()).isZero();

    // the numbers file is plain text on the disk; no pack may contain it readable
    // (ISO-8859-1 maps every byte to one char, so a text search is a byte search)
    try (Stream<Path> s = Files.walk(repo.root().resolve("packs"))) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
            .doesNotContain("199999\n200000\n");
      }
    }
    assertThatThrownBy(() -> Repository.open(tmp.resolve("repo"), "wrong".toCharArray()))
        .hasMessage("Wrong passphrase for this repository.");
    assertThatThrownBy(() -> Repository.open(tmp.resolve("repo"), null))
        .hasMessageContaining("encrypted");
  }
}
