package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of an ext2/3/4 filesystem: inodes found through the group descriptors, their data
 * through extent trees (ext4) or block maps (ext2/3), or inside the inode (inline_data). Folders
 * are read as lists of entries, which hashed (htree) folders are too.
 */
final class Ext4Files extends FileTree {

  private static final int ROOT_INODE = 2;
  private static final long FLAG_EXTENTS = 0x80000;
  private static final long FLAG_INLINE = 0x10000000;
  private static final int INCOMPAT_FILETYPE = 0x2;
  private static final int INCOMPAT_64BIT = 0x80;
  private static final int EXTENT_MAGIC = 0xF30A;
  private static final int MAX_EXTENT_DEPTH = 5;

  private final Region part;
  private final String variant;
  private final long blockSize;
  private final long blocks;
  private final long inodesPerGroup;
  private final long inodes;
  private final int inodeSize;
  private final int descSize;
  private final boolean is64;
  private final boolean fileType;
  private final byte[] gdt;
  private final long groups;

  Ext4Files(Region part, String variant) throws FilesystemException {
    this.part = part;
    this.variant = variant;
    byte[] sb = part.read(1024, 1024);
    if (Le.u16(sb, 56) != Ext4.MAGIC) {
      throw new FilesystemException("no ext superblock");
    }
    int logBlock = (int) Le.u32(sb, 24);
    if (logBlock > 6) {
      throw new FilesystemException("implausible block size");
    }
    blockSize = 1024L << logBlock;
    long incompat = Le.u32(sb, 96);
    is64 = (incompat & INCOMPAT_64BIT) != 0;
    fileType = (incompat & INCOMPAT_FILETYPE) != 0;
    blocks = Le.u32(sb, 4) | (is64 ? Le.u32(sb, 0x150) << 32 : 0);
    long firstData = Le.u32(sb, 20);
    long perGroup = Le.u32(sb, 32);
    inodesPerGroup = Le.u32(sb, 40);
    inodes = Le.u32(sb, 0);
    inodeSize = Le.u32(sb, 76) == 0 ? 128 : Le.u16(sb, 88);
    descSize = is64 ? Le.u16(sb, 0xFE) : 32;
    if (perGroup < 256
        || firstData > 1
        || blocks <= firstData
        || blocks * blockSize > part.length()) {
      throw new FilesystemException("implausible block geometry");
    }
    if (inodeSize < 128
        || inodeSize > blockSize
        || Integer.bitCount(inodeSize) != 1
        || inodesPerGroup == 0
        || inodesPerGroup > blockSize * 8) {
      throw new FilesystemException("implausible inode geometry");
    }
    if (descSize < 32 || descSize > 1024 || Integer.bitCount(descSize) != 1) {
      throw new FilesystemException("implausible group descriptor size " + descSize);
    }
    groups = (blocks - firstData + perGroup - 1) / perGroup;
    gdt =
        Ext4.Layout.of(sb, blockSize, firstData, perGroup, groups, descSize).readDescriptors(part);
  }

  @Override
  public String filesystem() {
    return variant;
  }

  @Override
  public FileEntry root() {
    try {
      return entry("/", ROOT_INODE, inode(ROOT_INODE));
    } catch (FilesystemException e) {
      throw new io.holdfast.engine.EngineException(
          "The " + variant + " filesystem's root folder cannot be read: " + e.getMessage() + ".",
          e);
    }
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    byte[] ino = inode(dir.ref());
    List<FileEntry> out = new ArrayList<>();
    if ((flags(ino) & FLAG_INLINE) != 0) {
      // the parent's inode number, then entries, in i_block and on in the system.data attribute
      byte[] data = inlineData(ino, size(ino));
      if (data.length > 4) {
        parseBlock(dir, data, 4, data.length, out);
      }
      return out;
    }
    long size = size(ino);
    if (size % blockSize != 0 || size > (long) MAX_ENTRIES * 16) {
      throw new FilesystemException("folder of implausible size " + size);
    }
    List<long[]> runs = runs(ino, size);
    for (long[] r : runs) {
      for (long i = 0; i < r[2]; i++) {
        byte[] block = part.read((r[1] + i) * blockSize, blockSize);
        parseBlock(dir, block, 0, block.length, out);
        if (out.size() > MAX_ENTRIES) {
          throw new FilesystemException("more than " + MAX_ENTRIES + " entries in one folder");
        }
      }
    }
    return out;
  }

  private void parseBlock(FileEntry dir, byte[] b, int from, int to, List<FileEntry> out)
      throws FilesystemException {
    int at = from;
    while (at + 8 <= to) {
      long inode = Le.u32(b, at);
      int recLen = Le.u16(b, at + 4);
      if (recLen == 0 || recLen == 65535) {
        recLen = 65536; // 64 KiB blocks: a whole block
      }
      int nameLen = fileType ? Le.u8(b, at + 6) : Le.u16(b, at + 6);
      if (recLen < 8 || recLen % 4 != 0 || at + recLen > to || 8 + nameLen > recLen) {
        throw new FilesystemException("folder entry at byte " + at + " of a block runs over it");
      }
      if (inode != 0 && nameLen > 0) {
        String name = new String(b, at + 8, nameLen, StandardCharsets.UTF_8);
        if (!name.equals(".") && !name.equals("..")) {
          if (inode > inodes) {
            throw new FilesystemException(name + " names inode " + inode + ", past the last");
          }
          out.add(entry(dir.child(name), inode, inode(inode)));
        }
      }
      at += recLen;
    }
  }

  private FileEntry entry(String path, long number, byte[] ino) throws FilesystemException {
    int mode = Le.u16(ino, 0);
    FileEntry.Kind kind = kindOf(mode);
    long size = kind == FileEntry.Kind.DIRECTORY ? 0 : size(ino);
    String link = kind == FileEntry.Kind.LINK ? linkTarget(ino, size) : null;
    int uid = Le.u16(ino, 2) | Le.u16(ino, 120) << 16;
    int gid = Le.u16(ino, 24) | Le.u16(ino, 122) << 16;
    return new FileEntry(
        path, kind, size, modified(ino), mode & 07777, uid, gid, link, number, Le.u16(ino, 0x1A));
  }

  private Instant modified(byte[] ino) {
    long seconds = (int) Le.u32(ino, 16); // signed: before 1970
    long nanos = 0;
    if (inodeSize > 128 && Le.u16(ino, 128) >= 16) {
      long extra = Le.u32(ino, 0x88);
      seconds += (extra & 3) << 32;
      nanos = Math.min(999_999_999, extra >>> 2);
    }
    return Instant.ofEpochSecond(seconds, nanos);
  }

  private String linkTarget(byte[] ino, long size) throws FilesystemException {
    if (size > MAX_LINK) {
      throw new FilesystemException("symbolic link of " + size + " bytes");
    }
    long f = flags(ino);
    byte[] target;
    if ((f & FLAG_INLINE) != 0) {
      target = inlineData(ino, size);
    } else if ((f & FLAG_EXTENTS) == 0 && size < 60 && dataBlocks(ino) == 0) {
      target = java.util.Arrays.copyOfRange(ino, 40, 40 + (int) size); // a fast symlink
    } else {
      target = new byte[(int) size];
      copy(ino, size, (at, bytes, off, len) -> System.arraycopy(bytes, off, target, (int) at, len));
    }
    return new String(target, StandardCharsets.UTF_8);
  }

  /** 512-byte sectors of data, less an extended-attribute block the inode may have. */
  private long dataBlocks(byte[] ino) {
    long sectors = Le.u32(ino, 28);
    long acl = Le.u32(ino, 104) | (long) Le.u16(ino, 118) << 32;
    return acl != 0 ? Math.max(0, sectors - blockSize / 512) : sectors;
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    byte[] ino = inode(file.ref());
    copy(ino, size(ino), out);
  }

  private void copy(byte[] ino, long size, Content out) throws FilesystemException {
    if ((flags(ino) & FLAG_INLINE) != 0) {
      byte[] data = inlineData(ino, size);
      out.write(0, data, 0, data.length);
      return;
    }
    for (long[] r : runs(ino, size)) {
      long fileAt = r[0] * blockSize;
      copyRun(part, fileAt, r[1] * blockSize, Math.min(r[2] * blockSize, size - fileAt), out);
    }
  }

  /**
   * Where a file's data lies: {@code {first logical block, first block on disk, blocks}} in file
   * order, holes and unwritten (preallocated) extents left out.
   */
  private List<long[]> runs(byte[] ino, long size) throws FilesystemException {
    long fileBlocks = (size + blockSize - 1) / blockSize;
    List<long[]> runs = new ArrayList<>();
    byte[] iblock = java.util.Arrays.copyOfRange(ino, 40, 100);
    // a block a damaged tree names twice would be read over and over: no real one does
    java.util.Set<Long> seen = new java.util.HashSet<>();
    if ((flags(ino) & FLAG_EXTENTS) != 0) {
      extents(iblock, -1, fileBlocks, runs, seen);
    } else {
      mapped(iblock, fileBlocks, runs, seen);
    }
    return runs;
  }

  private void extents(
      byte[] node, int depth, long fileBlocks, List<long[]> runs, java.util.Set<Long> seen)
      throws FilesystemException {
    if (Le.u16(node, 0) != EXTENT_MAGIC) {
      throw new FilesystemException("extent tree node without its magic number");
    }
    int count = Le.u16(node, 2);
    int max = Le.u16(node, 4);
    int nodeDepth = Le.u16(node, 6);
    if (count > max || 12 + max * 12 > node.length) {
      throw new FilesystemException("extent tree node with " + count + " of " + max + " entries");
    }
    if (nodeDepth > MAX_EXTENT_DEPTH || (depth >= 0 && nodeDepth != depth)) {
      throw new FilesystemException("extent tree of implausible depth");
    }
    for (int i = 0; i < count; i++) {
      int e = 12 + i * 12;
      long logical = Le.u32(node, e);
      if (nodeDepth == 0) {
        int len = Le.u16(node, e + 4);
        boolean unwritten = len > 32768;
        long n = unwritten ? len - 32768 : len;
        long start = (long) Le.u16(node, e + 6) << 32 | Le.u32(node, e + 8);
        if (start + n > blocks) {
          throw new FilesystemException("an extent points past the filesystem's end");
        }
        if (!unwritten && n > 0 && logical < fileBlocks) {
          long keep = Math.min(n, fileBlocks - logical);
          addRun(runs, logical, start, keep);
        }
      } else {
        long child = Le.u32(node, e + 4) | (long) Le.u16(node, e + 8) << 32;
        if (child >= blocks || child == 0) {
          throw new FilesystemException("an extent index points past the filesystem's end");
        }
        if (!seen.add(child)) {
          throw new FilesystemException("the extent tree names block " + child + " twice");
        }
        extents(part.read(child * blockSize, blockSize), nodeDepth - 1, fileBlocks, runs, seen);
      }
    }
  }

  /** ext2/3 block maps: 12 direct blocks, then single, double and triple indirect blocks. */
  private void mapped(byte[] iblock, long fileBlocks, List<long[]> runs, java.util.Set<Long> seen)
      throws FilesystemException {
    long perBlock = blockSize / 4;
    long logical = 0;
    for (int i = 0; i < 12 && logical < fileBlocks; i++, logical++) {
      mapBlock(runs, logical, Le.u32(iblock, i * 4));
    }
    long span = perBlock;
    for (int level = 1; level <= 3 && logical < fileBlocks; level++) {
      long pointer = Le.u32(iblock, (11 + level) * 4);
      if (pointer != 0) {
        indirect(pointer, level, logical, fileBlocks, runs, seen);
      }
      logical += span;
      span *= perBlock;
    }
  }

  private void indirect(
      long block,
      int level,
      long logical,
      long fileBlocks,
      List<long[]> runs,
      java.util.Set<Long> seen)
      throws FilesystemException {
    if (block >= blocks) {
      throw new FilesystemException("a block map points past the filesystem's end");
    }
    if (!seen.add(block)) {
      throw new FilesystemException("the block map names block " + block + " twice");
    }
    byte[] b = part.read(block * blockSize, blockSize);
    long perBlock = blockSize / 4;
    long span = 1;
    for (int i = 1; i < level; i++) {
      span *= perBlock;
    }
    for (int i = 0; i < perBlock && logical + i * span < fileBlocks; i++) {
      long p = Le.u32(b, i * 4);
      if (p == 0) {
        continue;
      }
      if (level == 1) {
        mapBlock(runs, logical + i, p);
      } else {
        indirect(p, level - 1, logical + i * span, fileBlocks, runs, seen);
      }
    }
  }

  private void mapBlock(List<long[]> runs, long logical, long physical) throws FilesystemException {
    if (physical == 0) {
      return; // a hole
    }
    if (physical >= blocks) {
      throw new FilesystemException("a block map points past the filesystem's end");
    }
    addRun(runs, logical, physical, 1);
  }

  private static void addRun(List<long[]> runs, long logical, long physical, long n) {
    if (!runs.isEmpty()) {
      long[] last = runs.get(runs.size() - 1);
      if (last[0] + last[2] == logical && last[1] + last[2] == physical) {
        last[2] += n;
        return;
      }
    }
    runs.add(new long[] {logical, physical, n});
  }

  /** Inline data: up to 60 bytes in i_block, the rest in the inode's system.data attribute. */
  private byte[] inlineData(byte[] ino, long size) throws FilesystemException {
    if (size > inodeSize) {
      throw new FilesystemException("inline data of " + size + " bytes");
    }
    byte[] out = new byte[(int) size];
    int first = (int) Math.min(60, size);
    System.arraycopy(ino, 40, out, 0, first);
    if (size > 60) {
      byte[] rest = inlineRest(ino);
      if (rest == null || rest.length < size - 60) {
        throw new FilesystemException("inline data without the rest of it");
      }
      System.arraycopy(rest, 0, out, 60, (int) size - 60);
    }
    return out;
  }

  private static final long XATTR_MAGIC = 0xEA020000L;

  @Override
  java.util.Map<String, byte[]> xattrs(FileEntry e) throws FilesystemException {
    byte[] ino = inode(e.ref());
    java.util.Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    int first = inodeAttributesAt(ino);
    if (first >= 0) {
      // in the inode, values are placed from the first entry on
      attributeEntries(ino, first, inodeSize, first, out, false);
    }
    long block = Le.u32(ino, 104) | (is64 ? (long) Le.u16(ino, 118) << 32 : 0);
    if (block != 0) {
      if (block >= blocks) {
        throw new FilesystemException("its extended attribute block lies outside the filesystem");
      }
      byte[] b = part.read(block * blockSize, (int) blockSize);
      if (Le.u32(b, 0) != XATTR_MAGIC) {
        throw new FilesystemException("its extended attribute block is not one");
      }
      // in a block, values are placed from the block's start
      attributeEntries(b, 32, b.length, 0, out, false);
    }
    return out;
  }

  /**
   * The entries of an attribute area (ext4's fs/ext4/xattr.h) from {@code from} to {@code end};
   * {@code system.data}, the rest of inline data, only when {@code inlineData}.
   */
  private void attributeEntries(
      byte[] b,
      int from,
      int end,
      int valueBase,
      java.util.Map<String, byte[]> out,
      boolean inlineData)
      throws FilesystemException {
    int at = from;
    while (at + 16 <= end && Le.u32(b, at) != 0) {
      int nameLen = Le.u8(b, at);
      int index = Le.u8(b, at + 1);
      int valueOffs = Le.u16(b, at + 2);
      long valueInode = Le.u32(b, at + 4);
      long valueSize = Le.u32(b, at + 8);
      if (at + 16 + nameLen > end) {
        throw new FilesystemException("an extended attribute's name runs past its area");
      }
      String name = new String(b, at + 16, nameLen, StandardCharsets.UTF_8);
      at += (16 + nameLen + 3) & ~3;
      String prefix = attributePrefix(index);
      if (prefix == null || (index == 7 && name.equals("data") && !inlineData)) {
        continue; // the rest of inline data, or a namespace Linux has no name for
      }
      if (valueSize > MAX_ATTRIBUTE_VALUE) {
        throw new FilesystemException("extended attribute " + prefix + name + " is too large");
      }
      byte[] value;
      if (valueInode != 0) {
        // ea_inode: a large value kept as the content of an inode of its own
        value = new byte[(int) valueSize];
        copy(
            inode(valueInode),
            valueSize,
            (o, bytes, off, len) -> System.arraycopy(bytes, off, value, (int) o, len));
      } else {
        long v = (long) valueBase + valueOffs;
        if (v + valueSize > end) {
          throw new FilesystemException(
              "extended attribute " + prefix + name + " has its value outside its area");
        }
        value = java.util.Arrays.copyOfRange(b, (int) v, (int) (v + valueSize));
      }
      out.put(prefix + name, index == 2 || index == 3 ? kernelAcl(value) : value);
      if (out.size() > MAX_ATTRIBUTES) {
        throw new FilesystemException("more than " + MAX_ATTRIBUTES + " extended attributes");
      }
    }
  }

  /** The name an attribute's namespace index stands for; null for one Linux does not know. */
  private static String attributePrefix(int index) {
    return switch (index) {
      case 0 -> "";
      case 1 -> "user.";
      case 2 -> "system.posix_acl_access";
      case 3 -> "system.posix_acl_default";
      case 4 -> "trusted.";
      case 6 -> "security.";
      case 7 -> "system.";
      case 8 -> "system.richacl";
      default -> null;
    };
  }

  /**
   * An ACL as ext4 stores it (version 1; the owner, group, mask and other entries without an id) in
   * the form Linux's getxattr gives and setxattr takes (version 2, every entry with an id).
   */
  static byte[] kernelAcl(byte[] stored) throws FilesystemException {
    if (stored.length < 4 || Le.u32(stored, 0) != 1) {
      throw new FilesystemException("an ACL of a version this does not know");
    }
    java.nio.ByteBuffer out =
        java.nio.ByteBuffer.allocate(4 + 2 * (stored.length - 4))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.putInt(2);
    int at = 4;
    while (at < stored.length) {
      if (at + 4 > stored.length) {
        throw new FilesystemException("an ACL entry is cut short");
      }
      int tag = Le.u16(stored, at);
      int perm = Le.u16(stored, at + 2);
      long id = -1;
      if (tag == 2 || tag == 8) { // ACL_USER, ACL_GROUP: an id follows
        if (at + 8 > stored.length) {
          throw new FilesystemException("an ACL entry is cut short");
        }
        id = Le.u32(stored, at + 4);
        at += 8;
      } else {
        at += 4;
      }
      out.putShort((short) tag).putShort((short) perm).putInt((int) id);
    }
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  /** The rest of a file's inline data, kept in the inode as attribute system.data; or null. */
  private byte[] inlineRest(byte[] ino) throws FilesystemException {
    int first = inodeAttributesAt(ino);
    if (first < 0) {
      return null;
    }
    java.util.Map<String, byte[]> all = new java.util.LinkedHashMap<>();
    attributeEntries(ino, first, inodeSize, first, all, true);
    return all.get("system.data");
  }

  /** Where the first attribute entry kept in the inode is, past i_extra_isize; -1 for none. */
  private int inodeAttributesAt(byte[] ino) {
    if (inodeSize <= 128) {
      return -1;
    }
    int start = 128 + Le.u16(ino, 128);
    return start + 4 <= inodeSize && Le.u32(ino, start) == XATTR_MAGIC ? start + 4 : -1;
  }

  private byte[] inode(long n) throws FilesystemException {
    if (n < 1 || n > inodes) {
      throw new FilesystemException("inode " + n + " does not exist");
    }
    long group = (n - 1) / inodesPerGroup;
    long index = (n - 1) % inodesPerGroup;
    if (group >= groups) {
      throw new FilesystemException("inode " + n + " lies past the last group");
    }
    int d = (int) (group * descSize);
    long table = Le.u32(gdt, d + 8) | (is64 && descSize >= 64 ? Le.u32(gdt, d + 0x28) << 32 : 0);
    if (table == 0 || table >= blocks) {
      throw new FilesystemException("group " + group + "'s inode table lies outside");
    }
    return part.read(table * blockSize + index * inodeSize, inodeSize);
  }

  private static long flags(byte[] ino) {
    return Le.u32(ino, 32);
  }

  private static long size(byte[] ino) throws FilesystemException {
    long size = Le.u32(ino, 4) | Le.u32(ino, 108) << 32;
    if (size < 0) {
      throw new FilesystemException("a file of negative size");
    }
    return size;
  }
}
