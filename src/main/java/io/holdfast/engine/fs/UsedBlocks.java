package io.holdfast.engine.fs;

import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.Partition;
import java.util.ArrayList;
import java.util.List;

/**
 * Works out which bytes of a disk hold data: allocated blocks of the filesystems it understands
 * (ext2/3/4, XFS, FAT12/16/32, NTFS; btrfs by its allocated chunks), the header of Linux swap
 * areas, LVM2 physical volumes through the filesystems of their logical volumes, every byte of
 * other partitions, the partition tables and the space before the first partition; not large
 * unpartitioned areas, which restore as zeros. A disk without partitions may hold one filesystem
 * from its first byte (a data disk formatted whole, a USB stick without a table): it is mapped the
 * same way, as "partition" 0. Bad filesystem metadata never fails the backup: that partition falls
 * back to sector-by-sector and the reason is recorded.
 */
public final class UsedBlocks {

  private static final int PROBE_BYTES = 4096;

  private UsedBlocks() {}

  /**
   * How one partition is imaged.
   *
   * @param number the partition's number, or {@value #WHOLE_DISK} for a disk without partitions
   * @param filesystem {@code ext4}, {@code fat32}, {@code ntfs}, ... or {@code unknown}
   * @param method {@code used-blocks} or {@code all-sectors}
   * @param usedBytes bytes that will be read and stored
   * @param note why all sectors were taken, or what allocated data was left out and why, or null
   */
  public record PartitionImaging(
      int number, String filesystem, String method, long usedBytes, String note) {

    /** "partition 2", or "the whole disk": for messages. */
    public String where() {
      return number == WHOLE_DISK ? "the whole disk" : "partition " + number;
    }
  }

  /** The number a disk without partitions is reported under. */
  public static final int WHOLE_DISK = 0;

  /** The bytes to image for a whole disk, and how each partition was treated. */
  public record DiskMap(Extents used, List<PartitionImaging> partitions) {}

  /**
   * Unpartitioned areas larger than this on a GPT disk are not imaged: nothing there belongs to a
   * partition or to the partition table. Smaller gaps (alignment, boot loader space) are kept.
   */
  static final long LARGE_GAP = 16L << 20;

  /** The end of the disk kept whole: the backup GPT header and table live there. */
  static final long TAIL = 1L << 20;

  public static DiskMap map(DiskSource disk, DiskLayout layout) {
    Extents.Builder used = new Extents.Builder();
    List<PartitionImaging> report = new ArrayList<>();
    List<Partition> parts = new ArrayList<>(layout.partitions());
    if (parts.isEmpty()) {
      Result r =
          forPartition(disk, new Partition(WHOLE_DISK, 0, disk.size(), null, null, null, null));
      return new DiskMap(r.extents, List.of(r.imaging));
    }
    // MBR disks keep every gap between partitions: extended boot records live in them
    boolean skipLargeGaps = layout.scheme().equals("gpt");
    parts.sort((a, b) -> Long.compare(a.offset(), b.offset()));
    long pos = 0;
    for (Partition p : parts) {
      // before the first partition: tables and boot code, kept whole (zero chunks cost nothing)
      long gap = Math.max(0, p.offset() - pos);
      if (pos == 0 || !skipLargeGaps || gap <= LARGE_GAP) {
        used.add(pos, Math.max(pos, p.offset()));
      }
      pos = Math.max(pos, p.end());
      Result r = forPartition(disk, p);
      for (int i = 0; i < r.extents.count(); i++) {
        used.add(
            p.offset() + r.extents.start(i), p.offset() + Math.min(r.extents.end(i), p.length()));
      }
      report.add(r.imaging);
    }
    // after the last partition: only the disk's last MiB, unless the rest is small
    used.add(disk.size() - pos <= LARGE_GAP ? pos : Math.max(pos, disk.size() - TAIL), disk.size());
    return new DiskMap(used.build(), List.copyOf(report));
  }

  private record Result(Extents extents, PartitionImaging imaging) {}

  private static Result forPartition(DiskSource disk, Partition p) {
    Region region = new Region(disk, p.offset(), p.length());
    Probe probe = new Probe();
    try {
      if (!probe.run(region, true)) {
        return allSectors(p, probe.fs, "no supported filesystem found");
      }
      return new Result(
          probe.used,
          new PartitionImaging(
              p.number(), probe.fs, "used-blocks", probe.used.bytes(), probe.note));
    } catch (FilesystemException ex) {
      return allSectors(p, probe.fs, probe.fs + " metadata inconsistent (" + ex.getMessage() + ")");
    } catch (RuntimeException ex) {
      // a parser bug or hostile metadata must not cost the backup
      return allSectors(p, probe.fs, probe.fs + " metadata unreadable (" + ex + ")");
    }
  }

  /**
   * Finds the filesystem (or swap area, or LVM physical volume) a window holds and maps it. Its
   * fields say what was found so far, also when mapping then fails.
   */
  static final class Probe {
    String fs = "unknown";
    Extents used;
    String note;

    /** False when nothing known starts the window; throws when something does but is bad. */
    boolean run(Region region, boolean volumes) throws FilesystemException {
      byte[] head = region.read(0, Math.min(PROBE_BYTES, region.length()));
      if (Ext4.detect(head)) {
        fs = Ext4.variant(head);
        used = Ext4.usedBytes(region);
        return true;
      }
      if (Ntfs.detect(head)) {
        fs = "ntfs";
        return take(Ntfs.map(region));
      }
      if (Xfs.detect(head)) {
        fs = "xfs";
        used = Xfs.usedBytes(region);
        return true;
      }
      if (Exfat.detect(head)) {
        fs = "exfat";
        used = Exfat.usedBytes(region);
        return true;
      }
      if (Fat.detect(head)) {
        fs = Fat.variant(head);
        used = Fat.usedBytes(region);
        return true;
      }
      if (Btrfs.detect(region)) {
        fs = "btrfs";
        used = Btrfs.usedBytes(region);
        return true;
      }
      int page = Swap.pageSize(region);
      if (page > 0) {
        fs = "swap";
        used = Swap.usedBytes(region, page);
        return true;
      }
      int label = volumes ? Lvm.labelSector(head) : -1;
      if (label >= 0) {
        fs = "lvm2";
        return take(Lvm.map(region, label));
      }
      return false;
    }

    private boolean take(Mapped mapped) {
      used = mapped.used();
      note = mapped.note();
      return true;
    }
  }

  private static Result allSectors(Partition p, String fs, String why) {
    return new Result(
        Extents.of(0, p.length()),
        new PartitionImaging(p.number(), fs, "all-sectors", p.length(), why));
  }
}
