package io.holdfast.engine.fs;

import static io.holdfast.engine.fs.Xfs.u16;
import static io.holdfast.engine.fs.Xfs.u32;
import static io.holdfast.engine.fs.Xfs.u64;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files of an XFS filesystem (v4 and v5): inodes found by their number's allocation group,
 * block and slot; data through the inode's extent list or its block-map B+tree; folders in short
 * form inside the inode, or as directory data blocks (block, leaf and node forms all keep their
 * entries in data blocks below 32 GiB of the folder's address space).
 */
final class XfsFiles extends FileTree {

  private static final int INODE_MAGIC = 0x494E; // "IN"
  private static final int FORMAT_LOCAL = 1;
  private static final int FORMAT_EXTENTS = 2;
  private static final int FORMAT_BTREE = 3;
  private static final long LEAF_OFFSET = 32L << 30; // where a folder's data blocks end
  private static final long DIFLAG2_BIGTIME = 0x8;
  private static final long DIFLAG2_NREXT64 = 0x10;
  private static final int MAX_LEVELS = 9;

  private final Region part;
  private final long blockSize;
  private final long dblocks;
  private final long agBlocks;
  private final long agCount;
  private final int inodeSize;
  private final int inopbLog;
  private final int agBlkLog;
  private final long dirBlockSize;
  private final boolean v5;
  private final boolean ftype;
  private final long rootIno;

  XfsFiles(Region part) throws FilesystemException {
    this.part = part;
    byte[] sb = part.read(0, 512);
    blockSize = u32(sb, 4);
    dblocks = u64(sb, 8);
    rootIno = u64(sb, 56);
    agBlocks = u32(sb, 84);
    agCount = u32(sb, 88);
    int version = u16(sb, 100) & 0xF;
    inodeSize = u16(sb, 104);
    inopbLog = sb[123] & 0xFF;
    agBlkLog = sb[124] & 0xFF;
    int dirBlkLog = sb[192] & 0xFF;
    if (blockSize < 512 || blockSize > 65536 || Long.bitCount(blockSize) != 1) {
      throw new FilesystemException("implausible block size " + blockSize);
    }
    if (version != 4 && version != 5) {
      throw new FilesystemException("superblock version " + version + " is not 4 or 5");
    }
    if (agCount == 0
        || agBlocks < 16
        || agBlkLog > 31
        || (1L << agBlkLog) < agBlocks
        || dblocks > agCount * agBlocks
        || dblocks * blockSize > part.length()) {
      throw new FilesystemException("implausible allocation group geometry");
    }
    if (inodeSize < (version == 5 ? 512 : 256)
        || inodeSize > 2048
        || Integer.bitCount(inodeSize) != 1
        || (1L << inopbLog) * inodeSize != blockSize) {
      throw new FilesystemException("implausible inode geometry");
    }
    if (dirBlkLog > 6) {
      throw new FilesystemException("implausible directory block size");
    }
    dirBlockSize = blockSize << dirBlkLog;
    v5 = version == 5;
    ftype = v5 ? (u32(sb, 216) & 0x1) != 0 : (u32(sb, 200) & 0x200) != 0;
  }

  @Override
  public String filesystem() {
    return "xfs";
  }

  @Override
  public FileEntry root() {
    try {
      return entry("/", rootIno);
    } catch (FilesystemException e) {
      throw new io.holdfast.engine.EngineException(
          "The XFS root folder cannot be read: " + e.getMessage() + ".", e);
    }
  }

  /** An inode, checked: its magic number, version and fork format. */
  private byte[] inode(long ino) throws FilesystemException {
    long ag = ino >>> (agBlkLog + inopbLog);
    long agbno = (ino >>> inopbLog) & ((1L << agBlkLog) - 1);
    long slot = ino & ((1L << inopbLog) - 1);
    if (ag >= agCount || agbno >= agBlocks) {
      throw new FilesystemException("inode " + ino + " lies outside the filesystem");
    }
    long at = (ag * agBlocks + agbno) * blockSize + slot * inodeSize;
    byte[] b = part.read(at, inodeSize);
    int version = b[4] & 0xFF;
    if (u16(b, 0) != INODE_MAGIC || (version != 2 && version != 3) || (version == 3) != v5) {
      throw new FilesystemException("inode " + ino + " is not an inode");
    }
    return b;
  }

  private int coreSize(byte[] ino) {
    return (ino[4] & 0xFF) == 3 ? 176 : 100;
  }

  /** The data fork: from the end of the core to the attribute fork, or to the inode's end. */
  private int forkEnd(byte[] ino) throws FilesystemException {
    int forkOff = ino[82] & 0xFF;
    int end = forkOff == 0 ? inodeSize : coreSize(ino) + forkOff * 8;
    if (end > inodeSize || end <= coreSize(ino)) {
      throw new FilesystemException("an inode's forks do not fit it");
    }
    return end;
  }

  private FileEntry entry(String path, long ino) throws FilesystemException {
    byte[] b = inode(ino);
    int mode = u16(b, 2);
    FileEntry.Kind kind = kindOf(mode);
    long size = u64(b, 56);
    if (size < 0) {
      throw new FilesystemException("a file of negative size");
    }
    String link = kind == FileEntry.Kind.LINK ? linkTarget(b, size) : null;
    return new FileEntry(
        path,
        kind,
        kind == FileEntry.Kind.DIRECTORY ? 0 : size,
        modified(b),
        mode & 07777,
        (int) u32(b, 8),
        (int) u32(b, 12),
        link,
        ino,
        (int) u32(b, 16)); // di_nlink
  }

  /** Whether a v3 inode counts its extents in 64 bits (di_big_nextents), which moves the counts. */
  private static boolean nrext64(byte[] b) {
    return (b[4] & 0xFF) == 3 && (u64(b, 120) & DIFLAG2_NREXT64) != 0;
  }

  private static final int ATTR_ROOT = 2;
  private static final int ATTR_SECURE = 4;
  private static final int ATTR_PARENT = 8;
  private static final int ATTR_INCOMPLETE = 0x80;

  /**
   * Extended attributes kept in the inode (the attribute fork's short form, xfs_attr_sf_hdr and its
   * entries). Attributes that outgrew the inode live in leaf blocks, which this does not read: such
   * a file's attributes are reported as unread, never silently missing.
   */
  @Override
  java.util.Map<String, byte[]> xattrs(FileEntry e) throws FilesystemException {
    byte[] b = inode(e.ref());
    java.util.Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    int forkOff = b[82] & 0xFF;
    if (forkOff == 0) {
      return out;
    }
    int format = b[83] & 0xFF;
    int from = coreSize(b) + forkOff * 8;
    if (format != FORMAT_LOCAL) {
      long extents = nrext64(b) ? u32(b, 76) : u16(b, 80); // di_anextents
      if (format == FORMAT_EXTENTS && extents == 0) {
        return out; // a fork whose attributes were all removed
      }
      throw new FilesystemException(
          "its extended attributes are kept in blocks of their own, which are not read yet");
    }
    if (from + 4 > inodeSize) {
      throw new FilesystemException("its attribute fork lies outside it");
    }
    int total = u16(b, from);
    int count = b[from + 2] & 0xFF;
    int end = from + total;
    if (end > inodeSize || total < 4) {
      throw new FilesystemException("its attributes run past it");
    }
    int at = from + 4;
    for (int i = 0; i < count; i++) {
      if (at + 3 > end) {
        throw new FilesystemException("its attributes are cut short");
      }
      int nameLen = b[at] & 0xFF;
      int valueLen = b[at + 1] & 0xFF;
      int flags = b[at + 2] & 0xFF;
      if (at + 3 + nameLen + valueLen > end) {
        throw new FilesystemException("an attribute runs past its fork");
      }
      String name = new String(b, at + 3, nameLen, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(b, at + 3 + nameLen, at + 3 + nameLen + valueLen);
      at += 3 + nameLen + valueLen;
      if ((flags & (ATTR_PARENT | ATTR_INCOMPLETE)) != 0) {
        continue; // the filesystem's own parent pointers, or a half-made attribute
      }
      if ((flags & ATTR_ROOT) != 0 && name.equals("SGI_ACL_FILE")) {
        out.put("system.posix_acl_access", kernelAcl(value));
      } else if ((flags & ATTR_ROOT) != 0 && name.equals("SGI_ACL_DEFAULT")) {
        out.put("system.posix_acl_default", kernelAcl(value));
      } else {
        String prefix =
            (flags & ATTR_ROOT) != 0
                ? "trusted."
                : (flags & ATTR_SECURE) != 0 ? "security." : "user.";
        out.put(prefix + name, value);
      }
    }
    return out;
  }

  /**
   * An ACL as XFS stores it (a big-endian count, then tag, id and permissions of 12 bytes each) in
   * the form Linux's setxattr takes (version 2, little-endian tag, permissions and id).
   */
  static byte[] kernelAcl(byte[] stored) throws FilesystemException {
    if (stored.length < 4) {
      throw new FilesystemException("an ACL is cut short");
    }
    long count = u32(stored, 0);
    if (count > 1000 || 4 + count * 12 > stored.length) {
      throw new FilesystemException("an ACL of " + count + " entries does not fit its value");
    }
    java.nio.ByteBuffer out =
        java.nio.ByteBuffer.allocate(4 + (int) count * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    out.putInt(2);
    for (int i = 0; i < count; i++) {
      int at = 4 + i * 12;
      int tag = (int) u32(stored, at);
      long id = u32(stored, at + 4);
      int perm = u16(stored, at + 8);
      boolean named = tag == 2 || tag == 8; // ACL_USER, ACL_GROUP
      out.putShort((short) tag).putShort((short) perm).putInt(named ? (int) id : -1);
    }
    return out.array();
  }

  private static Instant modified(byte[] b) {
    boolean bigtime = (b[4] & 0xFF) == 3 && (u64(b, 120) & DIFLAG2_BIGTIME) != 0;
    if (bigtime) {
      long ns = u64(b, 40);
      // nanoseconds since 1901-12-13T20:45:52Z, the smallest 32-bit time
      return Instant.ofEpochSecond(
          Long.divideUnsigned(ns, 1_000_000_000L) - (1L << 31),
          Long.remainderUnsigned(ns, 1_000_000_000L));
    }
    return Instant.ofEpochSecond((int) u32(b, 40), Math.min(999_999_999, u32(b, 44)));
  }

  private String linkTarget(byte[] b, long size) throws FilesystemException {
    if (size > MAX_LINK) {
      throw new FilesystemException("symbolic link of " + size + " bytes");
    }
    if ((b[5] & 0xFF) == FORMAT_LOCAL) {
      int from = coreSize(b);
      if (from + size > forkEnd(b)) {
        throw new FilesystemException("a symbolic link runs past its inode");
      }
      return new String(b, from, (int) size, StandardCharsets.UTF_8);
    }
    // remote: in blocks, each with a header of its own on v5
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int header = v5 ? 56 : 0;
    for (long[] r : runs(b)) {
      for (long i = 0; i < r[2] && out.size() < size; i++) {
        byte[] block = part.read((r[1] + i) * blockSize, blockSize);
        if (v5 && !"XSLM".equals(new String(block, 0, 4, StandardCharsets.US_ASCII))) {
          throw new FilesystemException("a symbolic link block without its magic number");
        }
        out.write(block, header, (int) Math.min(blockSize - header, size - out.size()));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    byte[] b = inode(dir.ref());
    List<FileEntry> out = new ArrayList<>();
    int format = b[5] & 0xFF;
    if (format == FORMAT_LOCAL) {
      shortForm(dir, b, out);
      return out;
    }
    long dirBlocks = LEAF_OFFSET / blockSize;
    long perDirBlock = dirBlockSize / blockSize;
    for (long[] r : runs(b)) {
      if (r[0] >= dirBlocks) {
        continue; // leaf and free-index blocks: the entries are all in the data blocks
      }
      long n = Math.min(r[2], dirBlocks - r[0]);
      if (r[0] % perDirBlock != 0 || n % perDirBlock != 0) {
        throw new FilesystemException("a folder extent splits a directory block");
      }
      for (long i = 0; i < n; i += perDirBlock) {
        dataBlock(dir, part.read((r[1] + i) * blockSize, dirBlockSize), out);
        if (out.size() > MAX_ENTRIES) {
          throw new FilesystemException("more than " + MAX_ENTRIES + " entries in one folder");
        }
      }
    }
    return out;
  }

  private void shortForm(FileEntry dir, byte[] b, List<FileEntry> out) throws FilesystemException {
    int p = coreSize(b);
    int end = forkEnd(b);
    int count = b[p] & 0xFF;
    int i8 = b[p + 1] & 0xFF;
    int inoBytes = i8 > 0 ? 8 : 4;
    p += 2 + inoBytes; // the parent
    for (int e = 0; e < count; e++) {
      if (p + 3 > end) {
        throw new FilesystemException("a short-form folder runs past its inode");
      }
      int nameLen = b[p] & 0xFF;
      int name = p + 3;
      int ino = name + nameLen + (ftype ? 1 : 0);
      if (nameLen == 0 || ino + inoBytes > end) {
        throw new FilesystemException("a short-form folder entry runs past its inode");
      }
      long number = inoBytes == 8 ? u64(b, ino) : u32(b, ino);
      add(dir, new String(b, name, nameLen, StandardCharsets.UTF_8), number, out);
      p = ino + inoBytes;
    }
  }

  private void dataBlock(FileEntry dir, byte[] d, List<FileEntry> out) throws FilesystemException {
    String magic = new String(d, 0, 4, StandardCharsets.US_ASCII);
    boolean block = magic.equals("XD2B") || magic.equals("XDB3");
    if (!block && !magic.equals("XD2D") && !magic.equals("XDD3")) {
      throw new FilesystemException("a directory block without its magic number");
    }
    int p = v5 ? 64 : 16;
    int end = d.length;
    if (block) {
      long leaves = u32(d, d.length - 8);
      if (leaves * 8 + 8 > d.length - p) {
        throw new FilesystemException("a directory block's leaf count does not fit it");
      }
      end = (int) (d.length - 8 - leaves * 8);
    }
    while (p + 16 <= end) { // the smallest entry, or unused space, is 16 bytes
      if (u16(d, p) == 0xFFFF) { // unused space: its length follows
        int len = u16(d, p + 2);
        if (len < 8 || len % 8 != 0 || p + len > end) {
          throw new FilesystemException("unused space in a directory block runs over it");
        }
        p += len;
        continue;
      }
      long ino = u64(d, p);
      int nameLen = d[p + 8] & 0xFF;
      int len = (8 + 1 + nameLen + (ftype ? 1 : 0) + 2 + 7) & ~7;
      if (nameLen == 0 || p + len > end) {
        throw new FilesystemException("a directory entry runs past its block");
      }
      String name = new String(d, p + 9, nameLen, StandardCharsets.UTF_8);
      if (!name.equals(".") && !name.equals("..")) {
        add(dir, name, ino, out);
      }
      p += len;
    }
  }

  private void add(FileEntry dir, String name, long ino, List<FileEntry> out)
      throws FilesystemException {
    out.add(entry(dir.child(name), ino));
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    byte[] b = inode(file.ref());
    long size = u64(b, 56);
    if ((b[5] & 0xFF) == FORMAT_LOCAL) {
      int from = coreSize(b);
      if (from + size > forkEnd(b)) {
        throw new FilesystemException("inline data runs past its inode");
      }
      out.write(0, b, from, (int) size);
      return;
    }
    for (long[] r : runs(b)) {
      long fileAt = r[0] * blockSize;
      if (fileAt >= size) {
        break;
      }
      copyRun(part, fileAt, r[1] * blockSize, Math.min(r[2] * blockSize, size - fileAt), out);
    }
  }

  /**
   * The data fork's written extents, {first file block, first disk block, blocks}, in file order;
   * unwritten (preallocated) extents are left out, as they read as zeros.
   */
  private List<long[]> runs(byte[] b) throws FilesystemException {
    List<long[]> runs = new ArrayList<>();
    int format = b[5] & 0xFF;
    int from = coreSize(b);
    int end = forkEnd(b);
    if (format == FORMAT_EXTENTS) {
      long n = nrext64(b) ? u64(b, 24) : u32(b, 76);
      if (n < 0 || from + n * 16 > end) {
        throw new FilesystemException("an inode's extent list runs past it");
      }
      for (int i = 0; i < n; i++) {
        extent(b, from + i * 16, runs);
      }
    } else if (format == FORMAT_BTREE) {
      int level = u16(b, from);
      int count = u16(b, from + 2);
      int max = (end - from - 4) / 16;
      if (level == 0 || level > MAX_LEVELS || count > max) {
        throw new FilesystemException("an inode's block-map tree root is not plausible");
      }
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < count; i++) {
        node(fsBlock(u64(b, from + 4 + max * 8 + i * 8)), level - 1, runs, seen);
      }
    } else {
      throw new FilesystemException("an inode of unknown data format " + format);
    }
    return runs;
  }

  private void node(long block, int level, List<long[]> runs, Set<Long> seen)
      throws FilesystemException {
    if (!seen.add(block)) {
      throw new FilesystemException("the block-map tree names block " + block + " twice");
    }
    byte[] d = part.read(block * blockSize, blockSize);
    String magic = new String(d, 0, 4, StandardCharsets.US_ASCII);
    if (!magic.equals(v5 ? "BMA3" : "BMAP") || u16(d, 4) != level) {
      throw new FilesystemException("a block-map tree block is not one");
    }
    int count = u16(d, 6);
    int header = v5 ? 72 : 24;
    int max = (int) ((blockSize - header) / 16);
    if (count > max) {
      throw new FilesystemException("a block-map tree block with too many records");
    }
    for (int i = 0; i < count; i++) {
      if (level == 0) {
        extent(d, header + i * 16, runs);
      } else {
        node(fsBlock(u64(d, header + max * 8 + i * 8)), level - 1, runs, seen);
      }
    }
  }

  /** One packed extent record: 1 bit unwritten, 54 file offset, 52 start block, 21 length. */
  private void extent(byte[] b, int at, List<long[]> runs) throws FilesystemException {
    long l0 = u64(b, at);
    long l1 = u64(b, at + 8);
    boolean unwritten = l0 < 0;
    long offset = (l0 & Long.MAX_VALUE) >>> 9;
    long start = (l0 & 0x1FF) << 43 | l1 >>> 21;
    long count = l1 & 0x1FFFFF;
    if (unwritten || count == 0) {
      return;
    }
    long disk = fsBlock(start);
    if (disk + count > dblocks) {
      throw new FilesystemException("an extent runs past the filesystem's end");
    }
    runs.add(new long[] {offset, disk, count});
  }

  /** A filesystem block number (group in the high bits) as a block from the filesystem's start. */
  private long fsBlock(long fsb) throws FilesystemException {
    long ag = fsb >>> agBlkLog;
    long agbno = fsb & ((1L << agBlkLog) - 1);
    if (ag >= agCount || agbno >= agBlocks) {
      throw new FilesystemException("block " + fsb + " lies outside the filesystem");
    }
    return ag * agBlocks + agbno;
  }
}
