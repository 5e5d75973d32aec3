package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * exFAT (SD cards, USB drives, camera media): the boot regions, the FATs and all else before the
 * cluster heap are always used; a cluster is used when the allocation bitmap says so. The bitmap is
 * named by an entry in the root directory, whose clusters, like the bitmap's own, are chained in
 * the FAT.
 *
 * <p>What is checked before the bitmap is believed: the boot region's checksum, a geometry that
 * fits the partition, cluster chains that stay in the heap and end, a bitmap long enough for every
 * cluster, and a bitmap that marks its own clusters and the root directory's as used. A volume with
 * two FATs (TexFAT) has two bitmaps; a cluster either marks is kept.
 */
final class Exfat {

  private static final long END_OF_CHAIN = 0xFFFFFFFFL;
  private static final int TYPE_BITMAP = 0x81;
  private static final int MAX_ROOT_ENTRIES = 4096;
  private static final int WINDOW = 4 << 20;

  private Exfat() {}

  static boolean detect(byte[] head) {
    if (head.length < 512 || Le.u8(head, 510) != 0x55 || Le.u8(head, 511) != 0xAA) {
      return false;
    }
    if (!new String(head, 3, 8, StandardCharsets.US_ASCII).equals("EXFAT   ")) {
      return false;
    }
    for (int i = 11; i < 64; i++) {
      if (head[i] != 0) {
        return false; // the BIOS parameter block of FAT, which exFAT requires to be zero
      }
    }
    return true;
  }

  record Geometry(
      int bytesPerSector,
      long clusterBytes,
      long volumeSectors,
      long fatOffset,
      long fatLength,
      int fats,
      long heapOffset,
      long clusters,
      long rootCluster) {

    long clusterAt(long cluster) {
      return heapOffset * bytesPerSector + (cluster - 2) * clusterBytes;
    }

    boolean inHeap(long cluster) {
      return cluster >= 2 && cluster < clusters + 2;
    }
  }

  static Geometry geometry(byte[] bs, long partLength) throws FilesystemException {
    int bpsShift = Le.u8(bs, 108);
    int spcShift = Le.u8(bs, 109);
    if (bpsShift < 9 || bpsShift > 12 || spcShift > 25 - bpsShift) {
      throw new FilesystemException(
          "implausible sector or cluster size (shifts " + bpsShift + ", " + spcShift + ")");
    }
    int bps = 1 << bpsShift;
    long volume = Le.u64(bs, 72);
    long fatOffset = Le.u32(bs, 80);
    long fatLength = Le.u32(bs, 84);
    long heap = Le.u32(bs, 88);
    long clusters = Le.u32(bs, 92);
    long root = Le.u32(bs, 96);
    int fats = Le.u8(bs, 110);
    if (fats != 1 && fats != 2) {
      throw new FilesystemException("implausible number of FATs " + fats);
    }
    if (volume <= 0 || volume > partLength / bps) {
      throw new FilesystemException("volume larger than its partition");
    }
    if (fatOffset < 24 || fatLength == 0 || fatLength * bps < (clusters + 2) * 4) {
      throw new FilesystemException("the FAT does not fit the cluster count");
    }
    if (heap < fatOffset + fatLength * fats
        || heap + (clusters << spcShift) > volume
        || clusters == 0) {
      throw new FilesystemException("the cluster heap does not fit the volume");
    }
    Geometry g =
        new Geometry(
            bps, (long) bps << spcShift, volume, fatOffset, fatLength, fats, heap, clusters, root);
    if (!g.inHeap(root)) {
      throw new FilesystemException("root directory cluster " + root + " is outside the heap");
    }
    return g;
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    byte[] bs = part.read(0, 512);
    Geometry g = geometry(bs, part.length());
    checkBootChecksum(part.read(0, 12L * g.bytesPerSector), g.bytesPerSector);
    Fat fat = new Fat(part, g);
    List<Long> rootChain = fat.chain(g.rootCluster, "the root directory");
    List<byte[]> bitmapEntries = bitmapEntries(part, g, rootChain);

    Extents.Builder used = new Extents.Builder();
    used.add(0, g.heapOffset * g.bytesPerSector);
    for (byte[] entry : bitmapEntries) {
      Extents map = bitmap(part, g, fat, entry, rootChain);
      for (int i = 0; i < map.count(); i++) {
        used.add(map.start(i), map.end(i));
      }
    }
    // sectors past the last cluster and past the volume: no bitmap speaks for them
    used.add(g.clusterAt(g.clusters + 2), part.length());
    return used.build();
  }

  /** The allocation bitmap entries of the root directory (one, or two with TexFAT). */
  private static List<byte[]> bitmapEntries(Region part, Geometry g, List<Long> rootChain)
      throws FilesystemException {
    List<byte[]> found = new ArrayList<>();
    int seen = 0;
    for (long cluster : rootChain) {
      for (long off = 0; off < g.clusterBytes; off += WINDOW) {
        byte[] dir = part.read(g.clusterAt(cluster) + off, Math.min(WINDOW, g.clusterBytes - off));
        for (int e = 0; e + 32 <= dir.length; e += 32) {
          int type = Le.u8(dir, e);
          if (type == 0 || ++seen > MAX_ROOT_ENTRIES) {
            return checked(found, g);
          }
          if (type == TYPE_BITMAP) {
            byte[] entry = new byte[32];
            System.arraycopy(dir, e, entry, 0, 32);
            found.add(entry);
          }
        }
      }
    }
    return checked(found, g);
  }

  private static List<byte[]> checked(List<byte[]> found, Geometry g) throws FilesystemException {
    if (found.size() != g.fats) {
      throw new FilesystemException(
          found.size() + " allocation bitmap(s) in the root directory for " + g.fats + " FAT(s)");
    }
    return found;
  }

  /** The clusters one bitmap marks used, checking that it marks itself and the root directory. */
  private static Extents bitmap(
      Region part, Geometry g, Fat fat, byte[] entry, List<Long> rootChain)
      throws FilesystemException {
    long first = Le.u32(entry, 20);
    long length = Le.u64(entry, 24);
    if (!g.inHeap(first)) {
      throw new FilesystemException("allocation bitmap cluster " + first + " is outside the heap");
    }
    if (length < (g.clusters + 7) / 8) {
      throw new FilesystemException(
          "allocation bitmap of " + length + " bytes for " + g.clusters + " clusters");
    }
    List<Long> chain = fat.chain(first, "the allocation bitmap");
    if ((long) chain.size() * g.clusterBytes < (g.clusters + 7) / 8) {
      throw new FilesystemException("allocation bitmap chain shorter than the bitmap");
    }
    Extents.Builder used = new Extents.Builder();
    Bits bits = new Bits(g);
    long index = 0; // bit index: cluster index - 2
    for (long cluster : chain) {
      for (long off = 0; off < g.clusterBytes && index < g.clusters; off += WINDOW) {
        byte[] window =
            part.read(g.clusterAt(cluster) + off, Math.min(WINDOW, g.clusterBytes - off));
        for (int i = 0; i < window.length && index < g.clusters; i++) {
          int b = window[i] & 0xFF;
          for (int bit = 0; bit < 8 && index < g.clusters; bit++, index++) {
            bits.set(index, (b >>> bit & 1) != 0, used);
          }
        }
      }
    }
    bits.finish(used);
    Extents map = used.build();
    for (long c : chain) {
      requireMarked(map, g, c, "its own");
    }
    for (long c : rootChain) {
      requireMarked(map, g, c, "the root directory's");
    }
    return map;
  }

  private static void requireMarked(Extents map, Geometry g, long cluster, String whose)
      throws FilesystemException {
    if (!map.covers(g.clusterAt(cluster), g.clusterAt(cluster) + g.clusterBytes)) {
      throw new FilesystemException(
          "the allocation bitmap leaves " + whose + " cluster " + cluster + " free");
    }
  }

  /** Turns the bitmap's bits into byte runs. */
  private static final class Bits {
    private final Geometry g;
    private long runStart = -1;

    Bits(Geometry g) {
      this.g = g;
    }

    void set(long index, boolean inUse, Extents.Builder used) {
      if (inUse && runStart < 0) {
        runStart = index;
      } else if (!inUse && runStart >= 0) {
        used.add(g.clusterAt(runStart + 2), g.clusterAt(index + 2));
        runStart = -1;
      }
    }

    void finish(Extents.Builder used) {
      if (runStart >= 0) {
        used.add(g.clusterAt(runStart + 2), g.clusterAt(g.clusters + 2));
      }
    }
  }

  /** The first FAT, read an entry at a time: only the root directory's and bitmap's chains. */
  static final class Fat {
    private final Region part;
    private final Geometry g;

    Fat(Region part, Geometry g) {
      this.part = part;
      this.g = g;
    }

    List<Long> chain(long first, String what) throws FilesystemException {
      List<Long> chain = new ArrayList<>();
      long c = first;
      while (true) {
        if (!g.inHeap(c)) {
          throw new FilesystemException(what + " runs to cluster " + c + ", outside the heap");
        }
        if (chain.size() >= g.clusters) {
          throw new FilesystemException(what + "'s cluster chain loops");
        }
        chain.add(c);
        long next = Le.u32(part.read(g.fatOffset * g.bytesPerSector + c * 4, 4), 0);
        if (next == END_OF_CHAIN) {
          return chain;
        }
        c = next;
      }
    }
  }

  /**
   * The boot region's checksum (sector 11 repeats it): over sectors 0 to 10, without the volume
   * flags and the percent in use, which change as the volume is used.
   */
  static void checkBootChecksum(byte[] region, int bps) throws FilesystemException {
    int sum = 0;
    for (int i = 0; i < 11 * bps; i++) {
      if (i == 106 || i == 107 || i == 112) {
        continue;
      }
      sum = ((sum & 1) != 0 ? 0x80000000 : 0) + (sum >>> 1) + (region[i] & 0xFF);
    }
    long stored = Le.u32(region, 11 * bps);
    if (stored != (sum & 0xFFFFFFFFL)) {
      throw new FilesystemException(
          String.format("boot region checksum %08x, computed %08x", stored, sum));
    }
  }
}
