package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;

/**
 * ext2/3/4: the used blocks are those marked in each block group's bitmap (a bit per cluster with
 * bigalloc), plus every group's metadata (superblock backups, descriptors in either layout,
 * bitmaps, inode tables), which groups flagged BLOCK_UNINIT do not record in a bitmap of their own.
 */
final class Ext4 {

  static final int MAGIC = 0xEF53;
  private static final int INCOMPAT_META_BG = 0x10;
  private static final int RO_COMPAT_BIGALLOC = 0x200;
  private static final int COMPAT_HAS_JOURNAL = 0x4;

  /** filetype, recover, meta_bg; sparse_super, large_file, btree_dir. */
  private static final long EXT3_INCOMPAT = 0x2 | 0x4 | 0x10;

  private static final long EXT3_RO_COMPAT = 0x1 | 0x2 | 0x4;
  private static final long MAX_DESCRIPTOR_BYTES = 64L << 20;
  private static final int INCOMPAT_64BIT = 0x80;
  private static final int RO_COMPAT_SPARSE_SUPER = 0x1;
  private static final int BG_BLOCK_UNINIT = 0x2;

  private Ext4() {}

  static boolean detect(byte[] head) {
    return head.length >= 1024 + 58 && Le.u16(head, 1024 + 56) == MAGIC;
  }

  /**
   * ext2, ext3 or ext4, told apart as blkid does: ext4 if it uses any feature ext3 lacks, ext3 if
   * it has a journal.
   */
  static String variant(byte[] head) {
    if (head.length < 1024 + 104) {
      return "ext4";
    }
    long compat = Le.u32(head, 1024 + 92);
    long incompat = Le.u32(head, 1024 + 96);
    long roCompat = Le.u32(head, 1024 + 100);
    if ((incompat & ~EXT3_INCOMPAT) != 0 || (roCompat & ~EXT3_RO_COMPAT) != 0) {
      return "ext4";
    }
    return (compat & COMPAT_HAS_JOURNAL) != 0 ? "ext3" : "ext2";
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
    // bigalloc: a bitmap bit stands for a cluster of 2^n blocks, not for one block
    boolean bigalloc = (roCompat & RO_COMPAT_BIGALLOC) != 0;
    long logCluster = bigalloc ? Le.u32(sb, 28) : logBlock;
    if (logCluster < logBlock || logCluster > logBlock + 16) {
      throw new FilesystemException("cluster size 2^(10+" + logCluster + ") is not plausible");
    }
    long ratio = 1L << (logCluster - logBlock);
    long clustersPerGroup = bigalloc ? Le.u32(sb, 36) : perGroup;
    if (perGroup < 256
        || clustersPerGroup == 0
        || clustersPerGroup > blockSize * 8
        || clustersPerGroup * ratio != perGroup
        || blocks == 0
        || firstData > (bigalloc ? 0 : 1)) {
      throw new FilesystemException("implausible block group geometry");
    }
    if (blocks * blockSize > part.length()) {
      throw new FilesystemException(
          "filesystem claims " + blocks * blockSize + " bytes, partition has " + part.length());
    }
    if (descSize < 32 || descSize > 1024 || (descSize & (descSize - 1)) != 0) {
      throw new FilesystemException("implausible group descriptor size " + descSize);
    }
    long groups = (blocks - firstData + perGroup - 1) / perGroup;
    Layout layout = Layout.of(sb, blockSize, firstData, perGroup, groups, descSize);
    byte[] gdt = layout.readDescriptors(part);
    long clusters = (blocks + ratio - 1) / ratio;

    Extents.Builder used = new Extents.Builder();
    used.add(0, 2048); // boot area and primary superblock
    for (long g = 0; g < groups; g++) {
      int d = (int) (g * descSize);
      long blockBitmap = Le.u32(gdt, d) | (is64 ? Le.u32(gdt, d + 0x20) << 32 : 0);
      long inodeBitmap = Le.u32(gdt, d + 4) | (is64 ? Le.u32(gdt, d + 0x24) << 32 : 0);
      long inodeTable = Le.u32(gdt, d + 8) | (is64 ? Le.u32(gdt, d + 0x28) << 32 : 0);
      int flags = Le.u16(gdt, d + 0x12);
      long groupStart = firstData + g * perGroup;
      for (long b : new long[] {blockBitmap, inodeBitmap, inodeTable}) {
        if (b < firstData || b >= blocks) {
          throw new FilesystemException("group " + g + " points outside the filesystem");
        }
      }
      layout.addGroupMetadata(used, g);
      used.add(blockBitmap * blockSize, (blockBitmap + 1) * blockSize);
      used.add(inodeBitmap * blockSize, (inodeBitmap + 1) * blockSize);
      long inodeTableBlocks = inodeTableBlocks(sb, blockSize);
      used.add(inodeTable * blockSize, Math.min(blocks, inodeTable + inodeTableBlocks) * blockSize);
      if ((flags & BG_BLOCK_UNINIT) != 0) {
        continue;
      }
      byte[] bitmap = part.read(blockBitmap * blockSize, blockSize);
      long firstCluster = groupStart / ratio;
      long groupClusters = Math.min(clustersPerGroup, clusters - firstCluster);
      addBitmapRuns(used, bitmap, groupClusters, firstCluster, blockSize * ratio);
    }
    // past the filesystem's last block: no bitmap speaks for it, so it is kept as it is
    used.add(blocks * blockSize, part.length());
    return used.build();
  }

  /**
   * Where the group descriptors and the superblock copies are. Without meta_bg, the descriptors
   * (and the blocks reserved for growing them) follow the superblock and each of its copies. With
   * meta_bg, from metagroup {@code firstMetaBg} on, each metagroup (the groups one descriptor block
   * describes) keeps its descriptor block in its first group, with copies in its second and last.
   */
  record Layout(
      long blockSize,
      long firstData,
      long perGroup,
      long descBlocks,
      long descPerBlock,
      long firstMetaBg,
      long reservedGdt,
      boolean sparse) {

    /** The layout the superblock {@code sb} describes, for {@code groups} groups. */
    static Layout of(
        byte[] sb, long blockSize, long firstData, long perGroup, long groups, int descSize) {
      long descBlocks = (groups * descSize + blockSize - 1) / blockSize;
      return new Layout(
          blockSize,
          firstData,
          perGroup,
          descBlocks,
          blockSize / descSize,
          (Le.u32(sb, 96) & INCOMPAT_META_BG) != 0 ? Le.u32(sb, 0x104) : descBlocks,
          Le.u16(sb, 0xCE),
          (Le.u32(sb, 100) & RO_COMPAT_SPARSE_SUPER) != 0);
    }

    long groupStart(long g) {
      return firstData + g * perGroup;
    }

    /** The block of group g's superblock (copy): byte 1024 for group 0, whatever the block size. */
    long superblockAt(long g) {
      return g == 0 ? 1024 / blockSize : groupStart(g);
    }

    /** Descriptor blocks laid out the old way, after each superblock. */
    long oldDescBlocks() {
      return firstMetaBg >= descBlocks ? descBlocks + reservedGdt : firstMetaBg;
    }

    byte[] readDescriptors(Region part) throws FilesystemException {
      if (descBlocks * blockSize > MAX_DESCRIPTOR_BYTES) {
        throw new FilesystemException("group descriptor table of implausible size");
      }
      long old = Math.min(descBlocks, firstMetaBg);
      byte[] gdt = new byte[(int) (descBlocks * blockSize)];
      byte[] head = part.read((superblockAt(0) + 1) * blockSize, old * blockSize);
      System.arraycopy(head, 0, gdt, 0, head.length);
      for (long i = old; i < descBlocks; i++) {
        long at = metaDescriptorAt(i * descPerBlock);
        byte[] block = part.read(at * blockSize, blockSize);
        System.arraycopy(block, 0, gdt, (int) (i * blockSize), (int) blockSize);
      }
      return gdt;
    }

    /** The meta_bg descriptor block kept in group g: after its superblock copy, if it has one. */
    long metaDescriptorAt(long g) {
      return hasSuperblockBackup(g, sparse) ? superblockAt(g) + 1 : groupStart(g);
    }

    void addGroupMetadata(Extents.Builder used, long g) {
      long start = groupStart(g);
      if (hasSuperblockBackup(g, sparse)) {
        used.add(start * blockSize, (superblockAt(g) + 1 + oldDescBlocks()) * blockSize);
      }
      long metagroup = g / descPerBlock;
      long inMetagroup = g % descPerBlock;
      if (metagroup >= firstMetaBg
          && metagroup < descBlocks
          && (inMetagroup == 0 || inMetagroup == 1 || inMetagroup == descPerBlock - 1)) {
        long at = metaDescriptorAt(g);
        used.add(at * blockSize, (at + 1) * blockSize);
      }
    }
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
