package io.holdfast.engine.disk;

import java.util.List;

/**
 * A disk's partition table as parsed.
 *
 * @param scheme {@code gpt}, {@code mbr} or {@code none}
 * @param diskId the GPT disk GUID or the MBR disk signature, or null
 * @param warnings what was odd but survivable (a bad primary GPT header, say)
 */
public record DiskLayout(
    String scheme,
    int sectorSize,
    String diskId,
    List<Partition> partitions,
    List<String> warnings) {

  public static DiskLayout none(String why) {
    return new DiskLayout("none", 512, null, List.of(), why == null ? List.of() : List.of(why));
  }
}
