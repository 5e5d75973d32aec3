package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Btrfs: the chunks (block groups) allocated on this device are kept whole, with the first MiB and
 * the superblock copies; the device's unallocated space is left out. Free space inside a chunk is
 * kept, so this is coarser than a map of extents, but it needs only the chunk tree, found through
 * the superblock's system chunks. Every node read must pass its CRC32C and name its own address;
 * checksums other than CRC32C, and chunks striped across devices (RAID 0, 10, 5, 6), send the
 * partition to sector-by-sector imaging.
 */
final class Btrfs {

  private static final long SUPERBLOCK = 0x10000;
  private static final long[] COPIES = {0x10000, 64L << 20, 256L << 30, 1L << 50};
  private static final int CHUNK_ITEM = 228;
  private static final long STRIPED = 0x8 | 0x40 | 0x80 | 0x100; // RAID0, RAID10, RAID5, RAID6
  static final int HEADER = 0x65;
  static final int MAX_LEVEL = 8;

  private Btrfs() {}

  static boolean detect(Region part) throws FilesystemException {
    if (part.length() < SUPERBLOCK + 4096) {
      return false;
    }
    byte[] sb = part.read(SUPERBLOCK, 0x48);
    return "_BHRfS_M".equals(new String(sb, 0x40, 8, StandardCharsets.US_ASCII));
  }

  /** A chunk: logical start and length, its profile flags, and its stripes {devid, offset}. */
  record Chunk(long logical, long length, long type, List<long[]> stripes) {}

  /**
   * What the superblock and the chunk tree say: the superblock's bytes, the node size, this
   * device's id and size, and every chunk of the filesystem.
   */
  record Layout(byte[] superblock, int nodeSize, long devid, long devBytes, List<Chunk> chunks) {

    /** Where {@code length} bytes from logical address {@code logical} lie on this device. */
    long physical(long logical, long length) throws FilesystemException {
      return Btrfs.physical(chunks, devid, logical, length);
    }
  }

  /** The superblock, checked, and the chunk tree read through its system chunks. */
  static Layout layout(Region part) throws FilesystemException {
    byte[] sb = part.read(SUPERBLOCK, 4096);
    if (Le.u16(sb, 0xc4) != 0) {
      throw new FilesystemException("checksum type " + Le.u16(sb, 0xc4) + " is not crc32c");
    }
    if (crc(sb, 4096) != Le.u32(sb, 0)) {
      throw new FilesystemException("superblock fails its checksum");
    }
    int nodeSize = (int) Le.u32(sb, 0x94);
    if (nodeSize < 4096 || nodeSize > 65536 || Integer.bitCount(nodeSize) != 1) {
      throw new FilesystemException("implausible node size " + nodeSize);
    }
    long devid = Le.u64(sb, 0xc9);
    long devBytes = Le.u64(sb, 0xc9 + 8);
    if (devBytes > part.length()) {
      throw new FilesystemException(
          "device claims " + devBytes + " bytes, partition has " + part.length());
    }
    int sysSize = (int) Le.u32(sb, 0xa0);
    if (sysSize > 2048) {
      throw new FilesystemException("system chunk array of implausible size");
    }
    List<Chunk> chunks = new ArrayList<>();
    int p = 0x32b;
    int end = 0x32b + sysSize;
    while (p + 17 + 48 <= end) {
      if (Le.u8(sb, p + 8) != CHUNK_ITEM) {
        throw new FilesystemException("system chunk array holds something else");
      }
      long logical = Le.u64(sb, p + 9);
      p += 17;
      int stripes = Le.u16(sb, p + 44);
      if (stripes == 0 || p + 48 + 32L * stripes > end) {
        throw new FilesystemException("system chunk with a bad stripe count");
      }
      chunks.add(chunk(sb, p, logical, stripes));
      p += 48 + 32 * stripes;
    }
    Reader reader = new Reader(part, nodeSize, devid, chunks);
    List<Chunk> all = new ArrayList<>();
    reader.collect(Le.u64(sb, 0x58), Le.u8(sb, 0xc7), 0, all);
    return new Layout(sb, nodeSize, devid, devBytes, List.copyOf(all));
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    Layout layout = layout(part);
    long devid = layout.devid();
    long devBytes = layout.devBytes();
    List<Chunk> all = layout.chunks();
    Extents.Builder used = new Extents.Builder();
    used.add(0, Math.min(part.length(), 1L << 20)); // boot area, first superblock
    for (long copy : COPIES) {
      if (copy + 4096 <= part.length()) {
        used.add(copy, copy + 4096);
      }
    }
    for (Chunk c : all) {
      if ((c.type() & STRIPED) != 0) {
        throw new FilesystemException("a chunk is striped across devices");
      }
      for (long[] s : c.stripes()) {
        if (s[0] == devid) {
          if (s[1] < 0 || s[1] + c.length() > part.length()) {
            throw new FilesystemException("a chunk lies outside the device");
          }
          used.add(s[1], s[1] + c.length());
        }
      }
    }
    // past the device size btrfs knows: kept as it is
    used.add(devBytes, part.length());
    return used.build();
  }

  private static Chunk chunk(byte[] b, int at, long logical, int stripes) {
    List<long[]> list = new ArrayList<>();
    for (int i = 0; i < stripes; i++) {
      int s = at + 48 + 32 * i;
      list.add(new long[] {Le.u64(b, s), Le.u64(b, s + 8)});
    }
    return new Chunk(logical, Le.u64(b, at), Le.u64(b, at + 24), list);
  }

  /**
   * Where {@code length} bytes from logical address {@code logical} lie on device {@code devid}:
   * within one chunk, through a stripe of it on this device.
   */
  static long physical(List<Chunk> chunks, long devid, long logical, long length)
      throws FilesystemException {
    for (Chunk c : chunks) {
      if (logical >= c.logical() && logical < c.logical() + c.length()) {
        if (length > c.logical() + c.length() - logical) {
          throw new FilesystemException("an extent at " + logical + " runs past its chunk");
        }
        if ((c.type() & STRIPED) != 0 && c.stripes().size() > 1) {
          throw new FilesystemException(
              "the chunk holding " + logical + " is striped across devices");
        }
        for (long[] s : c.stripes()) {
          if (s[0] == devid) {
            return s[1] + (logical - c.logical());
          }
        }
        throw new FilesystemException(
            "the chunk holding " + logical + " lies on another device of this btrfs filesystem");
      }
    }
    throw new FilesystemException("no chunk holds logical address " + logical);
  }

  static long crc(byte[] b, int length) {
    CRC32C c = new CRC32C();
    c.update(b, 32, length - 32);
    return c.getValue();
  }

  /** Reads chunk tree nodes by logical address, through the chunks known so far. */
  private record Reader(Region part, int nodeSize, long devid, List<Chunk> sys) {

    void collect(long logical, int level, int depth, List<Chunk> out) throws FilesystemException {
      if (depth > MAX_LEVEL || level > MAX_LEVEL || out.size() > 1_000_000) {
        throw new FilesystemException("chunk tree too deep or too large");
      }
      byte[] n = part.read(physical(logical), nodeSize);
      if (crc(n, nodeSize) != Le.u32(n, 0) || Le.u64(n, 0x30) != logical) {
        throw new FilesystemException("chunk tree node at " + logical + " fails its checks");
      }
      if (Le.u8(n, 0x64) != level) {
        throw new FilesystemException("chunk tree node at the wrong level");
      }
      long items = Le.u32(n, 0x60);
      if (level == 0) {
        if (HEADER + 25 * items > nodeSize) {
          throw new FilesystemException("chunk tree leaf with too many items");
        }
        for (int i = 0; i < items; i++) {
          int it = HEADER + 25 * i;
          if (Le.u8(n, it + 8) != CHUNK_ITEM) {
            continue;
          }
          int data = HEADER + (int) Le.u32(n, it + 17);
          int size = (int) Le.u32(n, it + 21);
          if (size < 48 || data < HEADER || data + size > nodeSize) {
            throw new FilesystemException("chunk item outside its leaf");
          }
          int stripes = Le.u16(n, data + 44);
          if (stripes == 0 || 48 + 32 * stripes > size) {
            throw new FilesystemException("chunk item with a bad stripe count");
          }
          out.add(chunk(n, data, Le.u64(n, it + 9), stripes));
        }
        return;
      }
      if (HEADER + 33 * items > nodeSize) {
        throw new FilesystemException("chunk tree node with too many pointers");
      }
      for (int i = 0; i < items; i++) {
        collect(Le.u64(n, HEADER + 33 * i + 17), level - 1, depth + 1, out);
      }
    }

    private long physical(long logical) throws FilesystemException {
      return Btrfs.physical(sys, devid, logical, nodeSize);
    }
  }
}
