package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.manifest.ManifestCodec;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalImageTest {

  @TempDir Path tmp;

  @Test
  void after_a_small_change_only_the_changed_chunks_are_written() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest first = create(repo, disk);
    long chunksBefore = chunkFiles(repo);

    // a 100 KiB file added to the FAT32 partition, written in place with mtools
    byte[] content = addFatFile(disk, "NEW.TXT", "changed\n".repeat(12_800).getBytes());

    Manifest second = create(repo, disk);
    assertThat(second.parent()).isEqualTo(first.id());
    Set<Integer> changed = new HashSet<>();
    var a = first.disks().get(0).chunks();
    var b = second.disks().get(0).chunks();
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Objects.equals(a.get(i), b.get(i))) {
        changed.add(i);
      }
    }
    // the file's clusters, the FAT copies and the directory: a handful of 64 KiB chunks
    assertThat(changed.size()).isBetween(2, 12);
    long added = chunkFiles(repo) - chunksBefore;
    assertThat(added).isPositive().isLessThanOrEqualTo(changed.size());
    assertThat(second.storedBytes()).isLessThan(first.storedBytes() / 10);

    Path restored = tmp.resolve("restored.img");
    ImageRoundTripTest.restore(repo, second.id(), 1, restored);
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/NEW.TXT").stdout())
        .isEqualTo(content);
    assertThat(Tools.run("fsck.vfat", "-n", restored.toString()).exit()).isZero();
  }

  @Test
  void fingerprints_follow_the_chunks_and_change_only_where_the_disk_changed() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest first = create(repo, disk);
    addFatFile(disk, "NEW.TXT", randomBytes(100 * 1024));
    Manifest second = create(repo, disk);

    Manifest.DiskImage a = first.disks().get(0);
    Manifest.DiskImage b = second.disks().get(0);
    for (Manifest.DiskImage d : List.of(a, b)) {
      assertThat(d.fingerprints()).hasSameSizeAs(d.chunks());
      for (int i = 0; i < d.chunks().size(); i++) {
        // a fingerprint exactly where there is data
        assertThat(d.fingerprints().get(i) == null).isEqualTo(d.chunks().get(i) == null);
      }
    }
    int changed = 0;
    for (int i = 0; i < a.chunks().size(); i++) {
      boolean sameData = Objects.equals(a.chunks().get(i), b.chunks().get(i));
      boolean samePrint = Objects.equals(a.fingerprints().get(i), b.fingerprints().get(i));
      assertThat(samePrint).as("chunk %d", i).isEqualTo(sameData);
      changed += sameData ? 0 : 1;
    }
    assertThat(changed).isPositive();
  }

  @Test
  void a_parent_from_an_engine_without_fingerprints_still_gives_a_correct_incremental()
      throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest first = create(repo, disk);
    // rewrite it as engine 0.1 wrote it: no fingerprints key at all
    Manifest.DiskImage d = first.disks().get(0);
    Manifest old =
        new Manifest(
            first.format(),
            first.id(),
            first.machine(),
            first.created(),
            "0.1.0",
            first.chunkSize(),
            first.compression(),
            first.parent(),
            List.of(
                new Manifest.DiskImage(
                    d.name(),
                    d.size(),
                    d.layout(),
                    d.imaging(),
                    d.partitions(),
                    d.chunks(),
                    null,
                    d.usedBytes(),
                    d.storedBytes())),
            first.logicalBytes(),
            first.usedBytes(),
            first.storedBytes(),
            null);
    byte[] json = ManifestCodec.encode(old);
    assertThat(new String(json, StandardCharsets.UTF_8)).doesNotContain("fingerprints");
    Files.write(repo.root().resolve("manifests").resolve("pc").resolve(first.id() + ".json"), json);

    byte[] content = addFatFile(disk, "OLD.TXT", randomBytes(70 * 1024));
    long before = chunkFiles(repo);
    Manifest second = create(repo, disk);
    assertThat(second.parent()).isEqualTo(first.id());
    assertThat(chunkFiles(repo) - before).isBetween(1L, 12L);

    Path restored = tmp.resolve("restored.img");
    ImageRoundTripTest.restore(repo, second.id(), 1, restored);
    assertThat(Tools.run("mtype", "-i", restored.toString(), "::/OLD.TXT").stdout())
        .isEqualTo(content);
  }

  @Test
  void fingerprints_are_keyed_by_the_repository() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Manifest.DiskImage one =
        create(Repository.init(tmp.resolve("one"), 64 * 1024, null), disk).disks().get(0);
    Manifest.DiskImage two =
        create(Repository.init(tmp.resolve("two"), 64 * 1024, null), disk).disks().get(0);
    assertThat(one.chunks()).isEqualTo(two.chunks());
    for (int i = 0; i < one.chunks().size(); i++) {
      if (one.chunks().get(i) != null) {
        assertThat(one.fingerprints().get(i)).isNotEqualTo(two.fingerprints().get(i));
      }
    }
  }

  private static Manifest create(Repository repo, Path disk) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(ImageRoundTripTest.options("pc", disk));
  }

  /** Writes a new file into the FAT32 partition in place, with mtools; returns its content. */
  private byte[] addFatFile(Path disk, String name, byte[] content) throws IOException {
    long fatOffset;
    try (DiskSource d = DiskSource.open(disk)) {
      fatOffset = PartitionTables.read(d).partitions().get(0).offset();
    }
    Path file = tmp.resolve(name);
    Files.write(file, content);
    Tools.Result r =
        Tools.run("mcopy", "-i", disk + "@@" + fatOffset, file.toString(), "::/" + name);
    assertThat(r.exit()).as(r.output()).isZero();
    return content;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new java.util.Random(n).nextBytes(b);
    return b;
  }

  /** Chunks stored in the repository's directory now (as a new reader sees it). */
  static long chunkFiles(Repository repo) {
    return Repository.open(repo.root(), null).chunksStored();
  }
}
