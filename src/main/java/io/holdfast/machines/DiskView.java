package io.holdfast.machines;

import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.Partition;
import java.util.Optional;

/** A disk as its worker last reported it. */
public record DiskView(String name, String path, long size, DiskLayout layout) {

  /**
   * The Linux device path of this disk's partition {@code number}: {@code /dev/sda} gives {@code
   * /dev/sda2}, a name ending in a digit takes a "p" ({@code /dev/nvme0n1p2}). Null for a disk that
   * is an image file, whose partitions have no path of their own.
   */
  public String partitionPath(int number) {
    if (!path.startsWith("/dev/")) {
      return null;
    }
    return path + (Character.isDigit(path.charAt(path.length() - 1)) ? "p" : "") + number;
  }

  /** The partition of this disk whose device path is {@code devicePath}, if it is one. */
  public Optional<Partition> partitionAt(String devicePath) {
    if (layout == null) {
      return Optional.empty();
    }
    return layout.partitions().stream()
        .filter(p -> devicePath.equals(partitionPath(p.number())))
        .findFirst();
  }
}
