package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;

/**
 * ext2/3/4: the used blocks are those marked in each block group's bitmap, plus every group's
 * metadata (superblock backups, descriptors, bitmaps, inode tables), which groups flagged
 * BLOCK_UNINIT do not record in a bitmap of their own.
 */
final class Ext4 {

  static final int MAGIC = 0xEF53;
  private static final int INCOMPAT_META_BG = 0x10;
  private static final int INCOMPAT_64BIT = 0x80;
  private static final int RO_COMPAT_SPARSE_SUPER = 0x1;
  private static final int BG_BLOCK_UNINIT = 0x2;

  private Ext4() {}

  static boolean detect(byte[] head) {
    return head.length >= 1024 + 58 && Le.u16(head, 1024 + 56) == MAGIC;
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    byte[] sb = part.read(1024, 1024);
    if (Le.u16(sb, 56) != MAGIC) {
      throw new FilesystemException("no ext superblock");
    }
    int logBlock = (int) Le.u32(sb, 24);
    if (logBlock > 6) {
      throw new FilesystemException("block size 2^(10+" + logBlock + ") is not plausible");
    }
    long blockSize = 1024L << logBlock;
    long incompat = Le.u32(sb, 96);
    long roCompat = Le.u32(sb, 100);
    boolean is64 = (incompat & INCOMPAT_64BIT) != 0;
    long blocks = Le.u32(sb, 4) | (is64 ? Le.u32(sb, 0x150) << 32 : 0);
    long firstData = Le.u32(sb, 20);
    long perGroup = Le.u32(sb, 32);
    int descSize = is64 ? Le.u16(sb, 0xFE) : 32;
    long reservedGdt = Le.u16(sb, 0xCE);
    if (perGroup == 0 || perGroup > blockSize * 8 || blocks == 0 || firstData > 1) {
      throw new FilesystemException("implausible block group geometry");
    }
    if (blocks * blockSize > part.length()) {
      throw new FilesystemException(
          "filesystem claims " + blocks * blockSize + " bytes, partition has " + part.length());
    }
    if ((incompat & INCOMPAT_META_BG) != 0) {
      throw new FilesystemException("meta_bg layout is not supported yet");
    }
    if (descSize < 32 || descSize > 1024 || (descSize & (descSize - 1)) != 0) {
      throw new FilesystemException("implausible group descriptor size " + descSize);
    }
    long groups = (blocks - firstData + perGroup - 1) / perGroup;
    long descBlocks = (groups * descSize + blockSize - 1) / blockSize;
    byte[] gdt = part.read((firstData + 1) * blockSize, descBlocks * blockSize);
    boolean sparse = (roCompat & RO_COMPAT_SPARSE_SUPER) != 0;

    Extents.Builder used = new Extents.Builder();
    used.add(0, (firstData + 1) * blockSize); // boot area and primary superblock
    for (long g = 0; g < groups; g++) {
      int d = (int) (g * descSize);
      long blockBitmap = Le.u32(gdt, d) | (is64 ? Le.u32(gdt, d + 0x20) << 32 : 0);
      long inodeBitmap = Le.u32(gdt, d + 4) | (is64 ? Le.u32(gdt, d + 0x24) << 32 : 0);
      long inodeTable = Le.u32(gdt, d + 8) | (is64 ? Le.u32(gdt, d + 0x28) << 32 : 0);
      int flags = Le.u16(gdt, d + 0x12);
      long groupStart = firstData + g * perGroup;
      long groupBlocks = Math.min(perGroup, blocks - groupStart);
      for (long b : new long[] {blockBitmap, inodeBitmap, inodeTable}) {
        if (b < firstData || b >= blocks) {
          throw new FilesystemException("group " + g + " points outside the filesystem");
        }
      }
      if (hasSuperblockBackup(g, sparse)) {
        used.add(groupStart * blockSize, (groupStart + 1 + descBlocks + reservedGdt) * blockSize);
      }
      used.add(blockBitmap * blockSize, (blockBitmap + 1) * blockSize);
      used.add(inodeBitmap * blockSize, (inodeBitmap + 1) * blockSize);
      long inodeTableBlocks = inodeTableBlocks(sb, blockSize);
      used.add(inodeTable * blockSize, Math.min(blocks, inodeTable + inodeTableBlocks) * blockSize);
      if ((flags & BG_BLOCK_UNINIT) != 0) {
        continue;
      }
      byte[] bitmap = part.read(blockBitmap * blockSize, blockSize);
      addBitmapRuns(used, bitmap, groupBlocks, groupStart, blockSize);
    }
    // past the filesystem's last block: no bitmap speaks for it, so it is kept as it is
    used.add(blocks * blockSize, part.length());
    return used.build();
  }

  private static long inodeTableBlocks(byte[] sb, long blockSize) throws FilesystemException {
    long inodesPerGroup = Le.u32(sb, 40);
    int inodeSize = Le.u32(sb, 76) == 0 ? 128 : Le.u16(sb, 88);
    if (inodeSize < 128 || inodeSize > blockSize || inodesPerGroup > blockSize * 8) {
      throw new FilesystemException("implausible inode geometry");
    }
    return (inodesPerGroup * inodeSize + blockSize - 1) / blockSize;
  }

  static boolean hasSuperblockBackup(long group, boolean sparse) {
    if (!sparse || group <= 1) {
      return true;
    }
    return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
  }

  private static boolean isPowerOf(long n, int base) {
    while (n % base == 0) {
      n /= base;
    }
    return n == 1;
  }

  /** Adds runs of set bits: bit i stands for block {@code first + i}. */
  static void addBitmapRuns(
      Extents.Builder used, byte[] bitmap, long bits, long first, long unitBytes) {
    long runStart = -1;
    for (long i = 0; i < bits; i++) {
      boolean set = (bitmap[(int) (i >>> 3)] & (1 << (i & 7))) != 0;
      if (set && runStart < 0) {
        runStart = i;
      } else if (!set && runStart >= 0) {
        used.add((first + runStart) * unitBytes, (first + i) * unitBytes);
        runStart = -1;
      }
    }
    if (runStart >= 0) {
      used.add((first + runStart) * unitBytes, (first + bits) * unitBytes);
    }
  }
}
