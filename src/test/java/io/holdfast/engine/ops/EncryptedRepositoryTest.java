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

  @Test
  void every_key_opens_the_same_data_and_a_changed_or_removed_one_no_longer_does()
      throws IOException {
    char[] first = "first passphrase".toCharArray();
    char[] laptop = "laptop passphrase".toCharArray();
    Path root = tmp.resolve("repo");
    Repository repo = Repository.init(root, 64 * 1024, first);
    Manifest m =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("keys", Fixtures.gptDisk()));
    byte[] packsBefore = packBytes(root);

    Repository.KeySlot added = repo.addKey(laptop, "laptop worker");
    assertThat(repo.keys())
        .extracting(Repository.KeySlot::label, Repository.KeySlot::opened)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(null, true),
            org.assertj.core.groups.Tuple.tuple("laptop worker", false));

    // the second key reads what the first wrote, and writes what the first reads
    Repository viaLaptop = Repository.open(root, laptop);
    assertThat(viaLaptop.keys()).filteredOn(Repository.KeySlot::opened).hasSize(1);
    Path ext = tmp.resolve("p2.img");
    ImageRoundTripTest.restore(viaLaptop, m.id(), 2, ext);
    assertThat(Tools.run("fsck.ext4", "-fn", ext.toString()).exit()).isZero();
    assertThat(
            new VerifyImages(Repository.open(root, first), Progress.NONE, Cancellation.none())
                .run(List.of())
                .ok())
        .isTrue();

    // a new passphrase for the laptop's key: the old one stops working, nothing else changes
    char[] laptopNew = "laptop passphrase, spring".toCharArray();
    viaLaptop.changePassphrase(laptopNew);
    assertThatThrownBy(() -> Repository.open(root, laptop))
        .hasMessage("Wrong passphrase for this repository: none of its 2 keys opens with it.");
    Repository reopened = Repository.open(root, laptopNew);
    assertThat(reopened.keys()).extracting(Repository.KeySlot::label).contains("laptop worker");
    assertThat(packBytes(root)).isEqualTo(packsBefore);

    // nobody removes the key they came in with; another key can
    String laptopKey =
        reopened.keys().stream().filter(Repository.KeySlot::opened).findFirst().orElseThrow().id();
    assertThat(laptopKey).isNotEqualTo(added.id()); // a new passphrase, a new salt
    assertThatThrownBy(() -> reopened.removeKey(laptopKey))
        .hasMessageContaining("is the one you opened the repository with");
    assertThatThrownBy(() -> reopened.removeKey("0badc0de"))
        .hasMessageContaining("has no key 0badc0de");
    Repository.open(root, first).removeKey(laptopKey);
    assertThatThrownBy(() -> Repository.open(root, laptopNew))
        .hasMessage("Wrong passphrase for this repository.");
    assertThat(Repository.open(root, first).keys()).hasSize(1);
  }

  @Test
  void an_unencrypted_repository_has_no_keys_to_change() {
    Repository plain = Repository.init(tmp.resolve("plain"), 64 * 1024, null);
    assertThat(plain.keys()).isEmpty();
    assertThatThrownBy(() -> plain.addKey("x".toCharArray(), null))
        .hasMessageContaining("not encrypted");
  }

  /** Every pack byte, in name order: a key change must not touch one. */
  private static byte[] packBytes(Path root) throws IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (Stream<Path> s = Files.walk(root.resolve("packs"))) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }
}
