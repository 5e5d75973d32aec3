package io.holdfast.engine.manifest;

import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.store.Repository;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;

/**
 * Writes the manifest of a disk with {@code chunks} chunks (one in five zero) to a new repository
 * in {@code dir}, reads it back twice and holds both, as an incremental image holds its parent and
 * itself, and prints the heap the two hold. Run by {@link ManifestHeapTest} in a JVM with a small
 * heap; uses only what engines before {@link HexList} had, so that they can be measured with it.
 */
public final class ManifestHeapProbe {

  /** Chunk {@code i}'s digest, or null for every fifth: made on demand, held nowhere. */
  static List<String> generated(int chunks, int width) {
    return new AbstractList<>() {
      @Override
      public String get(int i) {
        if (i % 5 == 4) {
          return null;
        }
        byte[] b = ByteBuffer.allocate(4).putInt(i).array();
        return Digests.sha256(b, 0, 4).substring(0, width * 2);
      }

      @Override
      public int size() {
        return chunks;
      }
    };
  }

  /** In a method of its own, so that nothing of the manifest written stays reachable. */
  private static void write(
      Repository repo, int chunks, List<String> digests, List<String> prints) {
    long size = (long) chunks * Repository.DEFAULT_CHUNK_SIZE;
    Manifest.DiskImage disk =
        new Manifest.DiskImage(
            "sda",
            size,
            new DiskLayout("gpt", 512, "probe", List.of(), List.of()),
            List.of(),
            null,
            digests,
            prints,
            size,
            size);
    repo.writeManifest(
        new Manifest(
            Manifest.FORMAT,
            "20261201T000000Z-00000001",
            "probe",
            "2026-12-01T00:00:00Z",
            "probe",
            Repository.DEFAULT_CHUNK_SIZE,
            "fast",
            null,
            List.of(disk),
            size,
            size,
            size,
            null));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int chunks = Integer.parseInt(args[1]);
    Repository repo = Repository.init(dir, Repository.DEFAULT_CHUNK_SIZE, null);
    List<String> digests = generated(chunks, 32);
    List<String> prints = generated(chunks, 16);
    write(repo, chunks, digests, prints);
    Repository.ManifestRef ref = repo.listManifests().getFirst();
    Manifest parent = repo.readManifest(ref);
    Manifest again = repo.readManifest(ref);
    for (Manifest m : List.of(parent, again)) {
      if (!m.disks().getFirst().chunks().equals(digests)
          || !m.disks().getFirst().fingerprints().equals(prints)) {
        throw new IllegalStateException("the manifest read back differs from the one written");
      }
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    long held = rt.totalMemory() - rt.freeMemory();
    System.out.printf(
        "chunks=%d heldMiB=%.1f bytesPerChunkAndManifest=%.1f max=%dMiB%n",
        chunks, held / 1048576.0, held / 2.0 / chunks, rt.maxMemory() >> 20);
    // both manifests stay reachable until the heap was measured
    System.out.println(parent.id().equals(again.id()) ? "held both" : "?");
  }
}
