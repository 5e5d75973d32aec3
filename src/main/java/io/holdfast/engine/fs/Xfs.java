package io.holdfast.engine.fs;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * XFS (v4 and v5): an allocation group's used blocks are all of it but the extents its free-space
 * B+tree by block number (the bnobt, rooted in the group's AGF) lists, as partclone does. The log,
 * inodes, the other B+trees and the free list are allocated and so are kept. On v5 filesystems
 * every bnobt block's CRC32C is checked, so a torn or stale block sends the partition to
 * sector-by-sector imaging instead of a wrong map.
 */
final class Xfs {

  private static final int MAX_LEVELS = 12;

  private Xfs() {}

  static boolean detect(byte[] head) {
    return head.length >= 512 && "XFSB".equals(new String(head, 0, 4, StandardCharsets.US_ASCII));
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    byte[] sb = part.read(0, 512);
    long blockSize = u32(sb, 4);
    long dblocks = u64(sb, 8);
    long agBlocks = u32(sb, 84);
    long agCount = u32(sb, 88);
    int version = u16(sb, 100) & 0xF;
    int sectSize = u16(sb, 102);
    if (blockSize < 512 || blockSize > 65536 || Long.bitCount(blockSize) != 1) {
      throw new FilesystemException("implausible block size " + blockSize);
    }
    if (sectSize < 512 || sectSize > blockSize || Integer.bitCount(sectSize) != 1) {
      throw new FilesystemException("implausible sector size " + sectSize);
    }
    if (version != 4 && version != 5) {
      throw new FilesystemException("superblock version " + version + " is not 4 or 5");
    }
    if (agCount == 0
        || agBlocks < 16
        || dblocks <= (agCount - 1) * agBlocks
        || dblocks > agCount * agBlocks) {
      throw new FilesystemException("implausible allocation group geometry");
    }
    if (dblocks * blockSize > part.length()) {
      throw new FilesystemException(
          "filesystem claims " + dblocks * blockSize + " bytes, partition has " + part.length());
    }
    boolean crc = version == 5;
    Extents.Builder free = new Extents.Builder();
    for (long ag = 0; ag < agCount; ag++) {
      long agStart = ag * agBlocks;
      long agLength = Math.min(agBlocks, dblocks - agStart);
      byte[] agf = part.read(agStart * blockSize + sectSize, 64);
      if (!"XAGF".equals(new String(agf, 0, 4, StandardCharsets.US_ASCII))
          || u32(agf, 8) != ag
          || u32(agf, 12) != agLength) {
        throw new FilesystemException("allocation group " + ag + " has no valid AGF");
      }
      long root = u32(agf, 16);
      long levels = u32(agf, 28);
      if (root == 0 || root >= agLength || levels == 0 || levels > MAX_LEVELS) {
        throw new FilesystemException("allocation group " + ag + " has a bad free-space root");
      }
      Walk walk = new Walk(part, blockSize, crc, agStart, agLength, free, new long[1]);
      walk.block(root, (int) levels - 1, 0);
      // the tree must account for exactly the free blocks the AGF counts: a stale block or a
      // tree changing under a live filesystem shows here
      if (walk.freeBlocks()[0] != u32(agf, 52)) {
        throw new FilesystemException(
            "allocation group "
                + ag
                + ": free-space tree lists "
                + walk.freeBlocks()[0]
                + " blocks, the AGF counts "
                + u32(agf, 52));
      }
    }
    Extents.Builder all = new Extents.Builder();
    all.add(0, dblocks * blockSize);
    // past the filesystem's last block: no free-space tree speaks for it, so it is kept
    all.add(dblocks * blockSize, part.length());
    return all.build().minus(free.build());
  }

  /** A depth-first walk of one group's bnobt, adding its free extents in bytes. */
  private record Walk(
      Region part,
      long blockSize,
      boolean crc,
      long agStart,
      long agLength,
      Extents.Builder free,
      long[] freeBlocks) {

    void block(long agBlock, int level, int depth) throws FilesystemException {
      if (agBlock == 0 || agBlock >= agLength || depth > MAX_LEVELS) {
        throw new FilesystemException("free-space tree points outside its allocation group");
      }
      byte[] b = part.read((agStart + agBlock) * blockSize, blockSize);
      String magic = new String(b, 0, 4, StandardCharsets.US_ASCII);
      if (!magic.equals(crc ? "AB3B" : "ABTB")) {
        throw new FilesystemException("free-space tree block has magic " + magic);
      }
      int header = crc ? 56 : 16;
      if (crc) {
        checkCrc(b);
        if (u64(b, 16) != (agStart + agBlock) * (blockSize / 512)) {
          throw new FilesystemException("free-space tree block is not where it says it is");
        }
      }
      int blockLevel = u16(b, 4);
      int records = u16(b, 6);
      if (blockLevel != level) {
        throw new FilesystemException("free-space tree block at the wrong level");
      }
      if (level == 0) {
        if (header + 8L * records > blockSize) {
          throw new FilesystemException("free-space leaf with too many records");
        }
        for (int i = 0; i < records; i++) {
          long start = u32(b, header + 8 * i);
          long count = u32(b, header + 8 * i + 4);
          if (count == 0 || start + count > agLength) {
            throw new FilesystemException("free extent outside its allocation group");
          }
          free.add((agStart + start) * blockSize, (agStart + start + count) * blockSize);
          freeBlocks[0] += count;
        }
        return;
      }
      int maxRecords = (int) ((blockSize - header) / 12);
      if (records > maxRecords) {
        throw new FilesystemException("free-space node with too many records");
      }
      for (int i = 0; i < records; i++) {
        block(u32(b, header + 8 * maxRecords + 4 * i), level - 1, depth + 1);
      }
    }

    private static void checkCrc(byte[] b) throws FilesystemException {
      byte[] copy = b.clone();
      copy[52] = copy[53] = copy[54] = copy[55] = 0;
      CRC32C c = new CRC32C();
      c.update(copy);
      long stored =
          (b[52] & 0xFFL) | (b[53] & 0xFFL) << 8 | (b[54] & 0xFFL) << 16 | (b[55] & 0xFFL) << 24;
      if (c.getValue() != stored) {
        throw new FilesystemException("free-space tree block fails its CRC");
      }
    }
  }

  static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  static long u32(byte[] b, int off) {
    return (long) u16(b, off) << 16 | u16(b, off + 2);
  }

  static long u64(byte[] b, int off) {
    return u32(b, off) << 32 | u32(b, off + 4);
  }
}
