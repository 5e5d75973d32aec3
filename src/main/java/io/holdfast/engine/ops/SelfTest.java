package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.disk.DemoDisk;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Proves the engine works on this machine, in a scratch directory: images a generated GPT disk,
 * changes it and images it again, verifies both images, restores the second and images the restored
 * disk, which must give the very chunks of the image it came from and store nothing new.
 *
 * <p>It is also the training run for a JDK AOT cache ({@code -XX:AOTCacheOutput}): one process that
 * takes every path a backup, a verify and a restore take, so later command-line runs start with
 * their classes loaded and their hot methods profiled.
 */
public final class SelfTest {

  /** One step and how long it took. */
  public record Step(String name, long millis, String detail) {}

  public record Report(List<Step> steps, long diskBytes) {}

  private static final String MACHINE = "selftest";

  private final Path dir;
  private boolean owned;

  /**
   * @param dir an empty or missing scratch directory; it is left with the repository and disks
   *     until {@link #clean}; a directory with anything in it is refused and never touched
   */
  public SelfTest(Path dir) {
    this.dir = dir;
  }

  public Report run() {
    List<Step> steps = new ArrayList<>();
    Path disk = dir.resolve("disk.raw");
    Path restored = dir.resolve("restored.raw");
    long t = System.nanoTime();
    try {
      if (Files.exists(dir)) {
        try (var entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new EngineException(
                "The self-test needs an empty scratch directory; " + dir + " is not empty.");
          }
        }
      }
      Files.createDirectories(dir);
      owned = true;
    } catch (IOException e) {
      throw new EngineException("Cannot use " + dir + " as scratch: " + e.getMessage(), e);
    }
    DemoDisk.ensure(disk);
    Repository repo = Repository.init(dir.resolve("repo"), Repository.DEFAULT_CHUNK_SIZE, null);
    t = step(steps, "generate disk and repository", t, DemoDisk.SIZE + " bytes");

    Manifest full = create(repo, disk, MACHINE, true);
    t = step(steps, "image (full)", t, full.storedBytes() + " bytes stored");

    change(disk);
    Manifest incr = create(repo, disk, MACHINE, false);
    if (incr.storedBytes() == 0 || incr.storedBytes() >= full.storedBytes()) {
      throw failed(
          "the incremental image stored "
              + incr.storedBytes()
              + " bytes after a 1 MiB change (the full one "
              + full.storedBytes()
              + ")");
    }
    t =
        step(
            steps,
            "image (incremental after a 1 MiB change)",
            t,
            incr.storedBytes() + " bytes stored");

    VerifyImages.Report v =
        new VerifyImages(repo, Progress.NONE, Cancellation.none()).run(List.of());
    if (!v.ok() || v.imagesChecked() != 2) {
      throw failed("verify found damage: " + v.badChunks() + " " + v.badManifests());
    }
    t = step(steps, "verify both images", t, v.chunksChecked() + " chunks sound");

    new RestoreImage(repo, Progress.NONE, Cancellation.none())
        .run(new RestoreImage.Options(incr.id(), null, null, restored, false));
    t = step(steps, "restore the incremental", t, "to " + restored.getFileName());

    Manifest again = create(repo, restored, MACHINE + "-restored", true);
    List<String> want = incr.disks().getFirst().chunks();
    List<String> got = again.disks().getFirst().chunks();
    if (!want.equals(got) || again.storedBytes() != 0) {
      throw failed(
          "the restored disk differs from the image it came from ("
              + differing(want, got)
              + " chunks differ, "
              + again.storedBytes()
              + " bytes new)");
    }
    step(steps, "image the restored disk", t, "same chunks as the image, nothing new stored");
    return new Report(List.copyOf(steps), DemoDisk.SIZE);
  }

  /** Deletes the scratch directory, if the self-test took it into use. */
  public void clean() {
    if (!owned || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              Files.delete(f);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new EngineException("Cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Manifest create(Repository repo, Path disk, String machine, boolean full) {
    return new CreateImage(repo, Progress.NONE, Cancellation.none())
        .run(
            new CreateImage.Options(
                machine,
                List.of(new CreateImage.DiskSpec(disk, "disk", null)),
                Compression.FAST,
                !full,
                0));
  }

  /** Overwrites 1 MiB of a file in the second partition with new random bytes. */
  private static void change(Path disk) {
    byte[] noise = new byte[DemoDisk.CHANGEABLE];
    new Random(System.nanoTime()).nextBytes(noise);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(DemoDisk.changeableOffset());
      f.write(noise);
    } catch (IOException e) {
      throw new EngineException("Cannot change " + disk + ": " + e.getMessage(), e);
    }
  }

  private static long step(List<Step> steps, String name, long since, String detail) {
    long now = System.nanoTime();
    steps.add(new Step(name, (now - since) / 1_000_000, detail));
    return now;
  }

  private static int differing(List<String> a, List<String> b) {
    int n = Math.abs(a.size() - b.size());
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!Objects.equals(a.get(i), b.get(i))) {
        n++;
      }
    }
    return n;
  }

  private static EngineException failed(String why) {
    return new EngineException("Self-test failed: " + why + ".");
  }
}
