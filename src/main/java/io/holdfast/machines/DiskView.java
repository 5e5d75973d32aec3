package io.holdfast.machines;

import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.Partition;
import java.util.List;
import java.util.Optional;

/**
 * A disk as its worker last reported it.
 *
 * @param inUse what used the disk or its partitions then ("/dev/sda2 is mounted at /home")
 */
public record DiskView(String name, String path, long size, DiskLayout layout, List<String> inUse) {

  public DiskView {
    inUse = inUse == null ? List.of() : List.copyOf(inUse);
  }

  /**
   * What used {@code target} when the worker last looked: for the disk itself, every use of it and
   * its partitions; for one of its partitions, that partition's.
   */
  public List<String> usesOf(String target) {
    if (target.equals(path)) {
      return inUse;
    }
    return partitionAt(target).isEmpty()
        ? List.of()
        : inUse.stream().filter(u -> u.startsWith(target + " ")).toList();
  }

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
