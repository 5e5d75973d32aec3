package io.holdfast.engine.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.fs.UsedBlocks.PartitionImaging;
import java.time.Instant;
import java.util.List;

/**
 * One image: which chunks make up each disk, in order (docs/repository-format.md, "Manifests").
 *
 * @param id {@code <yyyyMMdd'T'HHmmss'Z'>-<8 hex>}, sortable by time
 * @param created ISO-8601 instant
 * @param parent id of the image this one was made against, or null for a full image
 * @param digest SHA-256 over the canonical JSON of this manifest with {@code digest} null
 */
public record Manifest(
    int format,
    String id,
    String machine,
    String created,
    String engineVersion,
    int chunkSize,
    String compression,
    String parent,
    List<DiskImage> disks,
    long logicalBytes,
    long usedBytes,
    long storedBytes,
    String digest) {

  public static final int FORMAT = 1;

  public Instant createdAt() {
    return Instant.parse(created);
  }

  public Manifest withDigest(String d) {
    return new Manifest(
        format,
        id,
        machine,
        created,
        engineVersion,
        chunkSize,
        compression,
        parent,
        disks,
        logicalBytes,
        usedBytes,
        storedBytes,
        d);
  }

  /**
   * One disk of the image.
   *
   * @param name how the machine calls the disk ({@code sda}, {@code disk.raw})
   * @param partitions numbers of the partitions imaged, or null for the whole disk
   * @param chunks digest of each chunk in disk order (64 lowercase hex digits); null for a chunk
   *     that is all zeros or unallocated
   * @param fingerprints the repository's fingerprint of each chunk (32 lowercase hex digits),
   *     parallel to {@code chunks}, for the next incremental image; absent in images of engines
   *     before 0.2
   * @param usedBytes bytes read and imaged (allocated data)
   * @param storedBytes bytes this image added to the repository for this disk
   */
  public record DiskImage(
      String name,
      long size,
      DiskLayout layout,
      List<PartitionImaging> imaging,
      List<Integer> partitions,
      List<String> chunks,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<String> fingerprints,
      long usedBytes,
      long storedBytes) {

    /** The lists are held as {@link HexList}s, whatever list they came in. */
    public DiskImage {
      chunks = chunks == null ? null : HexList.of(HexList.DIGEST, chunks);
      fingerprints = fingerprints == null ? null : HexList.of(HexList.FINGERPRINT, fingerprints);
    }

    /** What a catalogue keeps of a disk: name, size, layout, how each partition was imaged. */
    public java.util.Map<String, Object> summary() {
      return java.util.Map.of(
          "name", name, "size", size, "layout", layout, "imaging", imaging, "usedBytes", usedBytes);
    }
  }
}
