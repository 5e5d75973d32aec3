package io.holdfast.images;

import java.util.List;

/**
 * A disk as an image holds it: what the restore and export forms offer to pick from.
 *
 * @param partitions the disk's partitions in table order, with what the image found on each
 */
public record ImageDisk(String name, long size, List<Part> partitions) {

  /**
   * A partition of the disk.
   *
   * @param typeName the partition type, e.g. "Linux filesystem", or empty
   * @param label the GPT partition name, or empty
   * @param filesystem what the imaging found ("ext4", "ntfs", …), or empty when it was not recorded
   */
  public record Part(int number, String typeName, String label, long length, String filesystem) {

    /** "Partition 2 · data · Microsoft basic data · fat16": how a form names it. */
    public String describe() {
      StringBuilder s = new StringBuilder("Partition ").append(number);
      for (String more : List.of(label, typeName, filesystem)) {
        if (!more.isEmpty()) {
          s.append(" · ").append(more);
        }
      }
      return s.toString();
    }
  }
}
