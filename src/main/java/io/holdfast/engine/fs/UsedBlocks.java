package io.holdfast.engine.fs;

import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import java.util.ArrayList;
import java.util.List;

/**
 * Works out which bytes of a disk hold data: allocated blocks of the filesystems it understands
 * (ext2/3/4, FAT12/16/32, NTFS), every byte of anything else. Bad filesystem metadata never fails
 * the backup: that partition falls back to sector-by-sector and the reason is recorded.
 */
public final class UsedBlocks {

  private static final int PROBE_BYTES = 4096;

  private UsedBlocks() {}

  /**
   * How one partition is imaged.
   *
   * @param filesystem {@code ext4}, {@code fat32}, {@code ntfs}, ... or {@code unknown}
   * @param method {@code used-blocks} or {@code all-sectors}
   * @param usedBytes bytes that will be read and stored
   * @param note why all sectors were taken, or null
   */
  public record PartitionImaging(
      int number, String filesystem, String method, long usedBytes, String note) {}

  /** The bytes to image for a whole disk, and how each partition was treated. */
  public record DiskMap(Extents used, List<PartitionImaging> partitions) {}

  public static DiskMap map(DiskSource disk, DiskLayout layout) {
    Extents.Builder used = new Extents.Builder();
    List<PartitionImaging> report = new ArrayList<>();
    long pos = 0;
    List<Partition> parts = new ArrayList<>(layout.partitions());
    parts.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    for (Partition p : parts) {
      // outside partitions: tables, boot code, gaps; kept whole (zero chunks cost nothing)
      used.add(pos, Math.max(pos, p.offset()));
      pos = Math.max(pos, p.end());
      Result r = forPartition(disk, p);
      for (int i = 0; i < r.extents.count(); i++) {
        used.add(
            p.offset() + r.extents.start(i), p.offset() + Math.min(r.extents.end(i), p.length()));
      }
      report.add(r.imaging);
    }
    used.add(pos, disk.size());
    return new DiskMap(used.build(), List.copyOf(report));
  }

  private record Result(Extents extents, PartitionImaging imaging) {}

  private static Result forPartition(DiskSource disk, Partition p) {
    Region region = new Region(disk, p.offset(), p.length());
    byte[] head = disk.readBytes(p.offset(), (int) Math.min(PROBE_BYTES, p.length()));
    String fs = "unknown";
    try {
      Extents e;
      if (Ext4.detect(head)) {
        fs = "ext4";
        e = Ext4.usedBytes(region);
      } else if (Ntfs.detect(head)) {
        fs = "ntfs";
        e = Ntfs.usedBytes(region);
      } else if (Fat.detect(head)) {
        fs = Fat.variant(head);
        e = Fat.usedBytes(region);
      } else {
        return allSectors(p, fs, "no supported filesystem found");
      }
      return new Result(e, new PartitionImaging(p.number(), fs, "used-blocks", e.bytes(), null));
    } catch (FilesystemException ex) {
      return allSectors(p, fs, fs + " metadata inconsistent (" + ex.getMessage() + ")");
    } catch (RuntimeException ex) {
      // a parser bug or hostile metadata must not cost the backup
      return allSectors(p, fs, fs + " metadata unreadable (" + ex + ")");
    }
  }

  private static Result allSectors(Partition p, String fs, String why) {
    return new Result(
        Extents.of(0, p.length()),
        new PartitionImaging(p.number(), fs, "all-sectors", p.length(), why));
  }
}
