package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to the repository is found, named and never turns into a silently wrong restore. */
class FaultsTest {

  @TempDir Path tmp;
  Repository repo;
  Manifest first;
  Manifest second;

  @BeforeEach
  void twoImagesSharingChunks() {
    repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    first =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("a", Fixtures.gptDisk()));
    second =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("b", Fixtures.gptDisk()));
  }

  @Test
  void a_flipped_byte_in_a_chunk_is_named_with_every_image_using_it() throws IOException {
    String victim = firstChunk(first);
    Repository.StoredPack pack = packOf(victim);
    Repository.PackedChunk blob =
        pack.chunks().stream().filter(c -> c.digest().equals(victim)).findFirst().orElseThrow();
    try (RandomAccessFile f = new RandomAccessFile(pack.path().toFile(), "rw")) {
      long middle = blob.offset() + blob.length() / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x40);
    }
    VerifyImages.Report r = verifyAll();
    assertThat(r.ok()).isFalse();
    assertThat(r.badChunks()).hasSize(1);
    assertThat(r.badChunks().get(0).digest()).isEqualTo(victim);
    assertThat(r.badChunks().get(0).problem()).contains("CRC32C");
    assertThat(r.badChunks().get(0).images()).containsExactlyInAnyOrder(first.id(), second.id());
    assertThatThrownBy(
            () -> ImageRoundTripTest.restore(repo, first.id(), null, tmp.resolve("out.img")))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("CRC32C");
  }

  @Test
  void a_pack_index_naming_another_chunks_blob_never_restores_wrong_data() throws IOException {
    // two index entries swap places and the index CRC is made to fit: every blob is intact
    // (its CRC32C and zstd frame check out), only the digest it is filed under is wrong
    Repository.StoredPack pack = packOf(firstChunk(first));
    assertThat(pack.chunks()).hasSizeGreaterThan(1);
    byte[] bytes = Files.readAllBytes(pack.path());
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int indexAt = (int) b.getLong(bytes.length - 20);
    int count = b.getInt(bytes.length - 12);
    byte[] firstDigest = java.util.Arrays.copyOfRange(bytes, indexAt, indexAt + 32);
    System.arraycopy(bytes, indexAt + 44, bytes, indexAt, 32);
    System.arraycopy(firstDigest, 0, bytes, indexAt + 44, 32);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, indexAt, count * 44);
    b.putInt(bytes.length - 8, (int) crc.getValue());
    Files.write(pack.path(), bytes);
    // without index files (lost, or a repository from before them) readers use the pack's index
    for (Path index : repo.indexFiles()) {
      Files.delete(index);
    }

    Repository reader = reopened();
    Path target = tmp.resolve("out.img");
    assertThatThrownBy(
            () ->
                new RestoreImage(reader, Progress.NONE, Cancellation.none())
                    .run(new RestoreImage.Options(first.id(), null, null, target, false)))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("does not match the fingerprint");
    VerifyImages.Report r = verifyAll();
    assertThat(r.badChunks()).hasSize(2);
    assertThat(r.badChunks()).allSatisfy(c -> assertThat(c.problem()).contains("not to its name"));
  }

  @Test
  void chunks_of_a_deleted_pack_are_all_reported_not_just_the_first() throws IOException {
    Repository.StoredPack pack = packOf(firstChunk(first));
    assertThat(pack.chunks()).hasSizeGreaterThan(1);
    Files.delete(pack.path());
    VerifyImages.Report r = verifyAll();
    assertThat(r.badChunks())
        .extracting(VerifyImages.BadChunk::digest)
        .containsExactlyInAnyOrderElementsOf(
            pack.chunks().stream().map(Repository.PackedChunk::digest).toList());
    assertThat(r.badChunks()).allSatisfy(b -> assertThat(b.problem()).contains("missing"));
    assertThat(r.damagedImages()).containsExactlyInAnyOrder(first.id(), second.id());
  }

  @Test
  void a_pack_with_a_damaged_index_is_reported_and_left_alone_by_gc() throws IOException {
    Repository.StoredPack pack = packOf(firstChunk(first));
    try (RandomAccessFile f = new RandomAccessFile(pack.path().toFile(), "rw")) {
      f.setLength(f.length() - 7); // a torn copy: the trailer is gone
    }
    VerifyImages.Report r = verifyAll();
    assertThat(r.ok()).isFalse();
    assertThat(r.badChunks()).hasSize(pack.chunks().size());
    assertThat(r.badChunks().get(0).problem()).contains("1 damaged pack(s) may have held it");
    CollectGarbage.Report gc = new CollectGarbage(reopened()).run(java.time.Duration.ZERO, false);
    assertThat(gc.problems()).singleElement().asString().contains("is damaged");
    assertThat(Files.exists(pack.path())).isTrue();
  }

  @Test
  void a_truncated_manifest_gives_a_clear_error_and_verify_reports_it() throws IOException {
    Path manifest = manifestFile(second);
    byte[] all = Files.readAllBytes(manifest);
    Files.write(manifest, java.util.Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> repo.findManifest(second.id()))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("damaged or truncated");
    VerifyImages.Report r = verifyAll();
    assertThat(r.badManifests())
        .extracting(VerifyImages.BadManifest::id)
        .containsExactly(second.id());
    assertThat(r.damagedImages()).containsExactly(second.id());
    // the intact image is still verified and restorable
    assertThat(r.badChunks()).isEmpty();
  }

  @Test
  void an_edited_manifest_is_refused() throws IOException {
    Path manifest = manifestFile(first);
    String text = Files.readString(manifest).replace("\"machine\":\"a\"", "\"machine\":\"z\"");
    Files.writeString(manifest, text);
    assertThatThrownBy(() -> repo.findManifest(first.id()))
        .hasMessageContaining("does not match its digest");
  }

  @Test
  void restoring_onto_a_too_small_target_fails_clearly_and_leaves_it_untouched() throws Exception {
    Path target = tmp.resolve("small.img");
    byte[] content = new byte[1 << 20];
    new java.util.Random(7).nextBytes(content);
    Files.write(target, content);
    assertThatThrownBy(() -> ImageRoundTripTest.restore(repo, first.id(), null, target))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("holds 1048576 bytes but the restore needs 100663296")
        .hasMessageContaining("Nothing was written");
    assertThat(sha(Files.readAllBytes(target))).isEqualTo(sha(content));
  }

  @Test
  void a_restore_onto_an_old_disk_full_of_other_data_leaves_only_the_image() throws IOException {
    Path fresh = tmp.resolve("fresh.img");
    ImageRoundTripTest.restore(repo, first.id(), null, fresh);
    // a target of the same size that already holds other data, as a used disk does
    Path old = tmp.resolve("old.img");
    try (RandomAccessFile f = new RandomAccessFile(old.toFile(), "rw")) {
      byte[] junk = new byte[1 << 20];
      new java.util.Random(2).nextBytes(junk);
      for (long pos = 0; pos < Files.size(fresh); pos += junk.length) {
        f.write(junk, 0, (int) Math.min(junk.length, Files.size(fresh) - pos));
      }
    }
    RestoreImage.Report r =
        new RestoreImage(repo, Progress.NONE, Cancellation.none())
            .run(new RestoreImage.Options(first.id(), null, null, old, false));
    assertThat(r.bytesWritten()).isEqualTo(Files.size(fresh));
    // every zero chunk was written over, not only the chunks with data
    assertThat(Files.mismatch(fresh, old)).isEqualTo(-1L);
  }

  @Test
  void an_interrupted_restore_resumes_and_skips_what_is_already_right() throws IOException {
    Path target = tmp.resolve("resume.img");
    ImageRoundTripTest.restore(repo, first.id(), null, target);
    // damage the second half, as an interrupted restore onto an old disk would leave it
    long size = Files.size(target);
    try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
      byte[] junk = new byte[1 << 20];
      new java.util.Random(1).nextBytes(junk);
      for (long pos = size / 2; pos < size; pos += 8L << 20) {
        f.seek(pos);
        f.write(junk);
      }
    }
    RestoreImage.Report r =
        new RestoreImage(repo, Progress.NONE, Cancellation.none())
            .run(new RestoreImage.Options(first.id(), null, null, target, true));
    assertThat(r.bytesSkipped()).isGreaterThan(size / 2);
    assertThat(r.bytesWritten()).isPositive();
    Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), target);
  }

  @Test
  void garbage_collection_keeps_what_images_use_and_removes_stray_chunk_files() throws IOException {
    long before = reopened().chunksStored();
    // a chunk file as format 1 repositories kept them, that no image names
    Path stray = repo.root().resolve("chunks/00/00/" + "0".repeat(64));
    Files.createDirectories(stray.getParent());
    Files.write(stray, new byte[] {1, 2, 3});
    CollectGarbage.Report young =
        new CollectGarbage(reopened()).run(java.time.Duration.ofHours(1), false);
    assertThat(young.chunksSpared()).isEqualTo(1);
    assertThat(Files.exists(stray)).isTrue();
    CollectGarbage.Report r = new CollectGarbage(reopened()).run(java.time.Duration.ZERO, false);
    assertThat(r.chunksDeleted()).isEqualTo(1);
    assertThat(r.chunksKept()).isEqualTo(before);
    assertThat(r.packsDeleted()).isZero();
    assertThat(Files.exists(stray)).isFalse();
    assertThat(verifyAll().ok()).isTrue();
  }

  private VerifyImages.Report verifyAll() {
    // a new reader, as the next verify job would be: it reads the packs' indexes afresh
    return new VerifyImages(reopened(), Progress.NONE, Cancellation.none()).run(List.of());
  }

  private static String firstChunk(Manifest m) {
    return m.disks().get(0).chunks().stream().filter(c -> c != null).findFirst().orElseThrow();
  }

  private Repository.StoredPack packOf(String digest) {
    List<Repository.StoredPack> found = new java.util.ArrayList<>();
    repo.forEachPack(
        p -> {
          if (p.chunks().stream().anyMatch(c -> c.digest().equals(digest))) {
            found.add(p);
          }
        },
        damaged -> {});
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  private Repository reopened() {
    return Repository.open(repo.root(), null);
  }

  private Path manifestFile(Manifest m) throws IOException {
    try (Stream<Path> s = Files.walk(repo.root().resolve("manifests"))) {
      return s.filter(p -> p.getFileName().toString().equals(m.id() + ".json"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
