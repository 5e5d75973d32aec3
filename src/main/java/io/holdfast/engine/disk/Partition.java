package io.holdfast.engine.disk;

/**
 * One partition as found in the partition table.
 *
 * @param number 1-based, as Linux numbers them (MBR logical partitions start at 5)
 * @param offset first byte on the disk
 * @param length in bytes
 * @param type MBR type as two hex digits, or the GPT type GUID
 * @param typeName a human name for the type, or "unknown"
 * @param guid the GPT partition GUID, or null for MBR
 * @param name the GPT partition name, or null
 */
public record Partition(
    int number, long offset, long length, String type, String typeName, String guid, String name) {

  public long end() {
    return offset + length;
  }
}
