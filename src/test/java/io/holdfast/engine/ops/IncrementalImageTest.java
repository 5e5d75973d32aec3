package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalImageTest {

  @TempDir Path tmp;

  @Test
  void after_a_small_change_only_the_changed_chunks_are_written() throws IOException {
    Path disk = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest first =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("pc", disk));
    long chunksBefore = chunkFiles(repo);

    // a 100 KiB file added to the FAT32 partition, written in place with mtools
    long fatOffset;
    try (DiskSource d = DiskSource.open(disk)) {
      fatOffset = PartitionTables.read(d).partitions().get(0).offset();
    }
    Path extra = tmp.resolve("NEW.TXT");
    Files.write(extra, "changed\n".repeat(12_800).getBytes());
    Tools.Result r =
        Tools.run("mcopy", "-i", disk + "@@" + fatOffset, extra.toString(), "::/NEW.TXT");
    assertThat(r.exit()).as(r.output()).isZero();

    Manifest second =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("pc", disk));
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
        .isEqualTo(Files.readAllBytes(extra));
    assertThat(Tools.run("fsck.vfat", "-n", restored.toString()).exit()).isZero();
  }

  static long chunkFiles(Repository repo) throws IOException {
    try (Stream<Path> s = Files.walk(repo.root().resolve("chunks"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }
}
