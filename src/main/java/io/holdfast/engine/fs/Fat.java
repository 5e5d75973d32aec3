package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;

/**
 * FAT12/16/32: reserved sectors, the FATs and the FAT12/16 root directory are always used; a data
 * cluster is used when its FAT entry is not zero.
 */
final class Fat {

  private Fat() {}

  static boolean detect(byte[] head) {
    if (head.length < 512 || Le.u8(head, 510) != 0x55 || Le.u8(head, 511) != 0xAA) {
      return false;
    }
    String fs16 = new String(head, 54, 5, StandardCharsets.US_ASCII);
    String fs32 = new String(head, 82, 5, StandardCharsets.US_ASCII);
    return (fs16.equals("FAT12") || fs16.equals("FAT16") || fs32.equals("FAT32"))
        && Le.u16(head, 11) != 0;
  }

  /** The variant as found, for the image metadata. */
  static String variant(byte[] head) {
    try {
      return "fat" + geometry(head).bits;
    } catch (FilesystemException e) {
      return "fat";
    }
  }

  record Geometry(
      int bytesPerSector,
      int sectorsPerCluster,
      long reserved,
      int fats,
      long fatSectors,
      long rootDirSectors,
      long totalSectors,
      long clusters,
      int bits) {

    long firstDataSector() {
      return reserved + fats * fatSectors + rootDirSectors;
    }
  }

  static Geometry geometry(byte[] bs) throws FilesystemException {
    int bps = Le.u16(bs, 11);
    int spc = Le.u8(bs, 13);
    long reserved = Le.u16(bs, 14);
    int fats = Le.u8(bs, 16);
    long rootEntries = Le.u16(bs, 17);
    long total = Le.u16(bs, 19) != 0 ? Le.u16(bs, 19) : Le.u32(bs, 32);
    long fatSz = Le.u16(bs, 22) != 0 ? Le.u16(bs, 22) : Le.u32(bs, 36);
    if (bps < 512 || bps > 4096 || Integer.bitCount(bps) != 1) {
      throw new FilesystemException("implausible bytes per sector " + bps);
    }
    if (spc == 0 || Integer.bitCount(spc) != 1 || fats == 0 || fats > 4 || reserved == 0) {
      throw new FilesystemException("implausible FAT geometry");
    }
    long rootDirSectors = (rootEntries * 32 + bps - 1) / bps;
    long dataStart = reserved + fats * fatSz + rootDirSectors;
    if (fatSz == 0 || total <= dataStart) {
      throw new FilesystemException("FAT regions do not fit the volume");
    }
    long clusters = (total - dataStart) / spc;
    // FAT32 is the one without a 16-bit FAT size, whatever its cluster count (as Linux decides:
    // mkfs.fat -F 32 makes small ones, and a 4 KiB-sector ESP has barely 65,525 clusters)
    boolean fat32 = Le.u16(bs, 22) == 0;
    int bits = fat32 ? 32 : clusters < 4085 ? 12 : 16;
    if (fatSz * bps * 8 / bits < clusters + 2) {
      throw new FilesystemException("the FAT is too small for the cluster count");
    }
    return new Geometry(bps, spc, reserved, fats, fatSz, rootDirSectors, total, clusters, bits);
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    byte[] bs = part.read(0, 512);
    Geometry g = geometry(bs);
    long bps = g.bytesPerSector;
    if (g.totalSectors * bps > part.length()) {
      throw new FilesystemException("volume larger than its partition");
    }
    Entries fat = new Entries(part, g.reserved * bps, g.fatSectors * bps, g.bits);
    Extents.Builder used = new Extents.Builder();
    used.add(0, g.firstDataSector() * bps);
    long clusterBytes = (long) g.sectorsPerCluster * bps;
    long dataStart = g.firstDataSector() * bps;
    long runStart = -1;
    for (long c = 2; c < g.clusters + 2; c++) {
      boolean inUse = fat.get(c) != 0;
      if (inUse && runStart < 0) {
        runStart = c;
      } else if (!inUse && runStart >= 0) {
        used.add(dataStart + (runStart - 2) * clusterBytes, dataStart + (c - 2) * clusterBytes);
        runStart = -1;
      }
    }
    if (runStart >= 0) {
      used.add(dataStart + (runStart - 2) * clusterBytes, dataStart + g.clusters * clusterBytes);
    }
    // sectors past the last whole cluster belong to no cluster: keep them as they are
    used.add(dataStart + g.clusters * clusterBytes, g.totalSectors * bps);
    // past the volume's end: no FAT speaks for it, so it is kept as it is
    used.add(g.totalSectors * bps, part.length());
    return used.build();
  }

  /**
   * The first FAT's entries, read a window at a time: a FAT32 of a large volume is hundreds of MiB,
   * more than a worker's heap should hold at once.
   */
  static final class Entries {

    private static final int WINDOW = 4 << 20;

    private final Region part;
    private final long start;
    private final long length;
    private final int bits;
    private byte[] window = new byte[0];
    private long windowAt = -1;

    Entries(Region part, long start, long length, int bits) {
      this.part = part;
      this.start = start;
      this.length = length;
      this.bits = bits;
    }

    /** Synchronized: files are copied out of a volume on several threads. */
    synchronized long get(long cluster) throws FilesystemException {
      return switch (bits) {
        case 12 -> {
          long off = cluster + cluster / 2;
          int v = u8(off) | u8(off + 1) << 8;
          yield (cluster & 1) == 0 ? v & 0xFFF : v >>> 4;
        }
        case 16 -> u8(cluster * 2) | u8(cluster * 2 + 1) << 8;
        default ->
            (u8(cluster * 4)
                    | u8(cluster * 4 + 1) << 8
                    | u8(cluster * 4 + 2) << 16
                    | (long) u8(cluster * 4 + 3) << 24)
                & 0x0FFFFFFFL;
      };
    }

    private int u8(long off) throws FilesystemException {
      if (windowAt < 0 || off < windowAt || off >= windowAt + window.length) {
        windowAt = off - off % WINDOW;
        window = part.read(start + windowAt, Math.min(WINDOW, length - windowAt));
      }
      return window[(int) (off - windowAt)] & 0xFF;
    }
  }
}
