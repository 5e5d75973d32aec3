package io.holdfast.engine.ops;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.disk.ByteSource;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.fs.FileTree;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The files of one partition of an image, read straight from the repository: each chunk is fetched,
 * checked and decompressed when a read first needs it, and a few are kept for the reads after.
 * Nothing is restored first, so one file comes out of a large image in seconds.
 */
public final class ImageFiles {

  /** Chunks kept decoded: 64 of 256 KiB, 16 MiB of heap. */
  private static final int CACHED = 64;

  private ImageFiles() {}

  /**
   * The filesystem of {@code partition} on {@code disk} (null: the image's only disk) of {@code
   * imageId}. Without a partition, a disk without a table is taken whole, and a disk with one
   * filesystem that can be listed is taken by that.
   */
  public static FileTree open(Repository repo, String imageId, String disk, Integer partition) {
    Manifest m = repo.findManifest(imageId);
    Manifest.DiskImage d = RestoreImage.pickDisk(m, disk);
    Integer number = partition == null ? onlyPartition(m, d) : partition;
    RestoreImage.Region region =
        number == UsedBlocks.WHOLE_DISK && d.layout().partitions().isEmpty()
            ? new RestoreImage.Region(d, 0, d.size())
            : RestoreImage.region(m, d.name(), number);
    try {
      return FileTree.open(new Chunks(repo, m, d), region.start(), region.end() - region.start());
    } catch (EngineException e) {
      throw new EngineException(
          "The files of "
              + where(d, number)
              + " of image "
              + m.id()
              + " cannot be listed: "
              + e.getMessage(),
          e);
    }
  }

  private static String where(Manifest.DiskImage d, int number) {
    return number == UsedBlocks.WHOLE_DISK
        ? "disk " + d.name()
        : "partition " + number + " of disk " + d.name();
  }

  private static int onlyPartition(Manifest m, Manifest.DiskImage d) {
    if (d.layout().partitions().isEmpty()) {
      return UsedBlocks.WHOLE_DISK;
    }
    List<UsedBlocks.PartitionImaging> listable =
        d.imaging().stream().filter(p -> listable(p.filesystem())).toList();
    if (listable.size() == 1) {
      return listable.get(0).number();
    }
    StringBuilder parts = new StringBuilder();
    for (Partition p : d.layout().partitions()) {
      String fs =
          d.imaging().stream()
              .filter(i -> i.number() == p.number())
              .map(UsedBlocks.PartitionImaging::filesystem)
              .findFirst()
              .orElse("not imaged");
      parts.append(parts.isEmpty() ? "" : ", ").append(p.number()).append(" (").append(fs);
      if (p.name() != null && !p.name().isBlank()) {
        parts.append(", ").append(p.name());
      }
      parts.append(')');
    }
    throw new EngineException(
        "Disk "
            + d.name()
            + " of image "
            + m.id()
            + " has partitions "
            + parts
            + "; name the one to list.");
  }

  /**
   * Filesystems whose files {@link FileTree} lists, as imaging names them; an LVM2 physical volume
   * is listed through its logical volumes.
   */
  public static boolean listable(String filesystem) {
    return filesystem != null
        && (filesystem.startsWith("ext")
            || filesystem.startsWith("fat")
            || List.of("ntfs", "xfs", "btrfs", "exfat", "lvm2").contains(filesystem));
  }

  /** A disk as an image holds it: chunks on demand, zeros where the image has none. */
  private static final class Chunks implements ByteSource {

    private final Repository repo;
    private final Manifest.DiskImage disk;
    private final List<String> prints;
    private final int chunkSize;
    private final Map<Integer, CompletableFuture<byte[]>> decoding = new java.util.HashMap<>();
    private final Map<Integer, byte[]> cache =
        new LinkedHashMap<>(CACHED, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
            return size() > CACHED;
          }
        };

    Chunks(Repository repo, Manifest m, Manifest.DiskImage disk) {
      this.repo = repo;
      this.disk = disk;
      this.chunkSize = m.chunkSize();
      this.prints =
          disk.fingerprints() != null && disk.fingerprints().size() == disk.chunks().size()
              ? disk.fingerprints()
              : null;
    }

    @Override
    public long size() {
      return disk.size();
    }

    @Override
    public byte[] readBytes(long offset, int length) {
      byte[] out = new byte[length];
      int filled = 0;
      while (filled < length && offset + filled < disk.size()) {
        long pos = offset + filled;
        int index = (int) (pos / chunkSize);
        int in = (int) (pos % chunkSize);
        int n = (int) Math.min(length - filled, chunkSize - in);
        byte[] chunk = chunk(index);
        if (chunk != null) {
          System.arraycopy(chunk, in, out, filled, n);
        }
        filled += n;
      }
      return out;
    }

    /**
     * A chunk decoded, from the cache or fetched now. Several threads copying files decode
     * different chunks at once; one wanted by two waits for the first to decode it.
     */
    private byte[] chunk(int index) {
      String digest = index < disk.chunks().size() ? disk.chunks().get(index) : null;
      if (digest == null) {
        return null;
      }
      CompletableFuture<byte[]> wait;
      boolean mine = false;
      synchronized (this) {
        byte[] plain = cache.get(index);
        if (plain != null) {
          return plain;
        }
        wait = decoding.get(index);
        if (wait == null) {
          wait = new CompletableFuture<>();
          decoding.put(index, wait);
          mine = true;
        }
      }
      if (mine) {
        try {
          byte[] plain = new byte[chunkSize];
          repo.decodeChunk(
              digest, prints == null ? null : prints.get(index), repo.readBlob(digest), plain);
          synchronized (this) {
            cache.put(index, plain);
            decoding.remove(index);
          }
          wait.complete(plain);
          return plain;
        } catch (RuntimeException e) {
          synchronized (this) {
            decoding.remove(index);
          }
          wait.completeExceptionally(e);
          throw e;
        }
      }
      try {
        return wait.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
  }
}
