package io.holdfast.restores.ui;

import io.holdfast.engine.disk.Partition;
import io.holdfast.machines.DiskView;
import io.holdfast.ui.Format;
import java.util.ArrayList;
import java.util.List;

/**
 * A place on the target machine that a restore request can name, from what its worker reported: a
 * whole disk for a whole-disk restore, one of a device's partitions for a partition restore.
 */
record TargetChoice(String path, String label) {

  /**
   * The choices on a machine with these disks. A partition goes onto a partition: its device path
   * is the Linux name of the disk's partition ({@code /dev/sda2}, {@code /dev/nvme0n1p2}); disks
   * that are image files have no such path and offer none.
   */
  static List<TargetChoice> of(List<DiskView> disks, boolean partitions) {
    List<TargetChoice> out = new ArrayList<>();
    for (DiskView d : disks) {
      if (!partitions) {
        out.add(
            new TargetChoice(
                d.path(),
                d.path() + " · " + d.name() + " · " + Format.bytes(d.size()) + inUse(d, d.path())));
        continue;
      }
      if (d.layout() == null || d.partitionPath(1) == null) {
        continue;
      }
      for (Partition p : d.layout().partitions()) {
        String path = d.partitionPath(p.number());
        out.add(
            new TargetChoice(
                path,
                path
                    + " · partition "
                    + p.number()
                    + " of "
                    + d.name()
                    + (p.typeName() == null || p.typeName().isEmpty() ? "" : ", " + p.typeName())
                    + " · "
                    + Format.bytes(p.length())
                    + inUse(d, path)));
      }
    }
    return out;
  }

  /** " · in use: /dev/sda2 is mounted at /home", or nothing. */
  private static String inUse(DiskView d, String path) {
    List<String> uses = d.usesOf(path);
    return uses.isEmpty() ? "" : " · in use: " + String.join("; ", uses);
  }
}
