package io.holdfast.engine.fs;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.airlift.compress.lzo.LzoDecompressor;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The files of a btrfs filesystem on one device, from its top-level subvolume down: subvolumes and
 * snapshots are folders where their parents hold them ({@code /root/etc/hosts} on Fedora, {@code
 * /@/etc/hosts} on openSUSE and Ubuntu). Trees are searched by key from the root tree through the
 * chunk tree's address map, and every node must pass its CRC32C and name its own address. File data
 * is read through its extents; extents compressed with zlib, LZO or zstd are decompressed, holes
 * and preallocated extents read as zeros.
 *
 * <p>Not read: encrypted extents (the file is refused by name), chunks striped across devices or
 * lying on another device, and the log tree of fsyncs not yet committed, which the kernel replays
 * at the next mount (the files are as the last commit left them).
 */
final class BtrfsFiles extends FileTree {

  private static final int INODE_ITEM = 1;
  private static final int XATTR_ITEM = 24;
  private static final int DIR_INDEX = 96;
  private static final int EXTENT_DATA = 108;
  private static final int ROOT_ITEM = 132;
  private static final int ROOT_REF = 156;
  private static final long FS_TREE = 5;

  /** The inode number the kernel gives a nested subvolume seen through a snapshot: empty. */
  private static final long EMPTY_SUBVOLUME = 2;

  private static final int COMPRESS_ZLIB = 1;
  private static final int COMPRESS_LZO = 2;
  private static final int COMPRESS_ZSTD = 3;

  /** btrfs compresses at most 128 KiB of a file into one extent. */
  private static final int MAX_COMPRESSED = 128 * 1024;

  private static final int INO_BITS = 40;
  private static final long MAX_SECONDS = 1L << 40;
  private static final int CACHED_NODES = 256;

  private final Region part;
  private final Btrfs.Layout layout;

  /** The unit btrfs compresses LZO in: one segment per sector. */
  private final int sectorSize;

  private final int nodeSize;
  private final byte[] fsid;
  private final long rootTree;
  private final int rootLevel;

  /**
   * Subvolume trees met so far, in order: a ref holds the index and the inode number. Copier
   * threads read files while a listing may still add to it, so it is used under this object's lock.
   */
  private final List<Subvolume> trees = new ArrayList<>();

  private final Map<Long, Integer> treeIndex = new HashMap<>();

  private final Map<Long, byte[]> nodes =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
          return size() > CACHED_NODES;
        }
      };

  private synchronized Subvolume tree(int index) {
    return trees.get(index);
  }

  private record Subvolume(long id, long bytenr, int level, long rootDir) {}

  /** An item a search found: its key and where its data lies in its node. */
  private record Item(long objectid, int type, long offset, byte[] node, int data, int size) {}

  BtrfsFiles(Region part) throws FilesystemException {
    this.part = part;
    this.layout = Btrfs.layout(part);
    this.nodeSize = layout.nodeSize();
    byte[] sb = layout.superblock();
    this.sectorSize = (int) Le.u32(sb, 0x90);
    if (sectorSize < 512 || sectorSize > nodeSize || Integer.bitCount(sectorSize) != 1) {
      throw new FilesystemException("implausible sector size " + sectorSize);
    }
    this.fsid = Arrays.copyOfRange(sb, 0x20, 0x30);
    this.rootTree = Le.u64(sb, 0x50);
    this.rootLevel = Le.u8(sb, 0xc6);
    subvolume(FS_TREE);
  }

  @Override
  public String filesystem() {
    return "btrfs";
  }

  @Override
  public FileEntry root() {
    try {
      Subvolume top = tree(0);
      return entry("/", 0, top.rootDir());
    } catch (FilesystemException e) {
      throw new EngineException("The btrfs root folder cannot be read: " + e.getMessage() + ".", e);
    }
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    int tree = (int) (dir.ref() >>> INO_BITS);
    long ino = dir.ref() & ((1L << INO_BITS) - 1);
    List<FileEntry> out = new ArrayList<>();
    if (ino == EMPTY_SUBVOLUME) {
      return out;
    }
    Subvolume sv = tree(tree);
    for (Item it : search(sv.bytenr(), sv.level(), ino, DIR_INDEX, 0, ino, DIR_INDEX, -1)) {
      if (it.size() < 30) {
        throw new FilesystemException("a folder entry of folder inode " + ino + " is cut short");
      }
      byte[] n = it.node();
      int d = it.data();
      long target = Le.u64(n, d);
      int targetType = Le.u8(n, d + 8);
      int nameLength = Le.u16(n, d + 27);
      if (nameLength == 0 || nameLength > 255 || 30 + nameLength > it.size()) {
        throw new FilesystemException("a folder entry of folder inode " + ino + " has a bad name");
      }
      String name = new String(n, d + 30, nameLength, StandardCharsets.UTF_8);
      if (name.contains("/") || name.equals(".") || name.equals("..")) {
        throw new FilesystemException("a folder entry is named " + name);
      }
      String path = dir.child(name);
      if (targetType == INODE_ITEM) {
        out.add(entry(path, tree, target));
      } else if (targetType == ROOT_ITEM) {
        out.add(subvolumeEntry(path, sv.id(), target));
      } else {
        throw new FilesystemException(
            "folder entry " + path + " points at a key of type " + targetType);
      }
      if (out.size() > MAX_ENTRIES) {
        throw new FilesystemException("a folder of more than " + MAX_ENTRIES + " entries");
      }
    }
    return out;
  }

  /**
   * Extended attributes: XATTR_ITEMs keyed by the inode and a hash of the name, each holding one or
   * more entries laid out as folder entries are, the value after the name. POSIX ACLs are stored in
   * the kernel's own format.
   */
  @Override
  Map<String, byte[]> xattrs(FileEntry e) throws FilesystemException {
    int tree = (int) (e.ref() >>> INO_BITS);
    long ino = e.ref() & ((1L << INO_BITS) - 1);
    Map<String, byte[]> out = new java.util.LinkedHashMap<>();
    if (ino == EMPTY_SUBVOLUME) {
      return out;
    }
    Subvolume sv = tree(tree);
    for (Item it : search(sv.bytenr(), sv.level(), ino, XATTR_ITEM, 0, ino, XATTR_ITEM, -1)) {
      byte[] n = it.node();
      int at = it.data();
      int end = it.data() + it.size();
      while (at < end) {
        if (at + 30 > end) {
          throw new FilesystemException("an extended attribute of inode " + ino + " is cut short");
        }
        int dataLength = Le.u16(n, at + 25);
        int nameLength = Le.u16(n, at + 27);
        if (nameLength == 0 || at + 30L + nameLength + dataLength > end) {
          throw new FilesystemException("an extended attribute of inode " + ino + " runs over");
        }
        String name = new String(n, at + 30, nameLength, StandardCharsets.UTF_8);
        int value = at + 30 + nameLength;
        out.put(name, java.util.Arrays.copyOfRange(n, value, value + dataLength));
        if (out.size() > MAX_ATTRIBUTES) {
          throw new FilesystemException("more than " + MAX_ATTRIBUTES + " extended attributes");
        }
        at = value + dataLength;
      }
    }
    return out;
  }

  /**
   * A subvolume where folder entry {@code path} of subvolume {@code parent} holds it. A snapshot
   * copies its parent's entries for nested subvolumes without taking the subvolumes in: there the
   * kernel shows an empty folder, and so does this.
   */
  private FileEntry subvolumeEntry(String path, long parent, long child)
      throws FilesystemException {
    boolean held =
        !search(rootTree, rootLevel, parent, ROOT_REF, child, parent, ROOT_REF, child).isEmpty();
    if (!held) {
      return new FileEntry(
          path, FileEntry.Kind.DIRECTORY, 0, null, 0755, 0, 0, null, EMPTY_SUBVOLUME, 1);
    }
    int index = subvolume(child);
    return entry(path, index, tree(index).rootDir());
  }

  /** The index of subvolume {@code id}'s tree, found through its root item on first use. */
  private synchronized int subvolume(long id) throws FilesystemException {
    Integer known = treeIndex.get(id);
    if (known != null) {
      return known;
    }
    List<Item> items = search(rootTree, rootLevel, id, ROOT_ITEM, 0, id, ROOT_ITEM, -1);
    if (items.isEmpty()) {
      throw new FilesystemException("subvolume " + id + " has no root item");
    }
    Item it = items.get(items.size() - 1);
    if (it.size() < 239) {
      throw new FilesystemException("the root item of subvolume " + id + " is cut short");
    }
    long rootDir = Le.u64(it.node(), it.data() + 168);
    long bytenr = Le.u64(it.node(), it.data() + 176);
    int level = Le.u8(it.node(), it.data() + 238);
    if (level > Btrfs.MAX_LEVEL || rootDir >>> INO_BITS != 0) {
      throw new FilesystemException("the root item of subvolume " + id + " is implausible");
    }
    if (trees.size() >= 1 << (63 - INO_BITS)) {
      throw new FilesystemException("too many subvolumes");
    }
    trees.add(new Subvolume(id, bytenr, level, rootDir));
    treeIndex.put(id, trees.size() - 1);
    return trees.size() - 1;
  }

  private FileEntry entry(String path, int tree, long ino) throws FilesystemException {
    if (ino >>> INO_BITS != 0) {
      throw new FilesystemException("inode number " + ino + " is implausible");
    }
    Subvolume sv = tree(tree);
    List<Item> found = search(sv.bytenr(), sv.level(), ino, INODE_ITEM, 0, ino, INODE_ITEM, 0);
    if (found.isEmpty() || found.get(0).size() < 160) {
      throw new FilesystemException("inode " + ino + " of subvolume " + sv.id() + " is missing");
    }
    byte[] n = found.get(0).node();
    int d = found.get(0).data();
    long size = Le.u64(n, d + 16);
    int mode = (int) Le.u32(n, d + 52);
    FileEntry.Kind kind = kindOf(mode);
    if (size < 0) {
      throw new FilesystemException("a file of negative size");
    }
    String link = kind == FileEntry.Kind.LINK ? linkTarget(sv, ino, size) : null;
    long seconds = Le.u64(n, d + 136);
    // a time past what any clock writes is damage: the file is listed without it
    Instant modified =
        Math.abs(seconds) > MAX_SECONDS
            ? null
            : Instant.ofEpochSecond(seconds, Math.min(999_999_999, Le.u32(n, d + 144)));
    return new FileEntry(
        path,
        kind,
        kind == FileEntry.Kind.DIRECTORY ? 0 : size,
        modified,
        mode & 07777,
        (int) Le.u32(n, d + 44),
        (int) Le.u32(n, d + 48),
        link,
        ((long) tree << INO_BITS) | ino,
        (int) Le.u32(n, d + 40)); // nlink
  }

  private String linkTarget(Subvolume sv, long ino, long size) throws FilesystemException {
    if (size > MAX_LINK) {
      throw new FilesystemException("symbolic link of " + size + " bytes");
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    extents(sv, ino, size, (at, bytes, offset, length) -> out.write(bytes, offset, length));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    int tree = (int) (file.ref() >>> INO_BITS);
    extents(tree(tree), file.ref() & ((1L << INO_BITS) - 1), file.size(), out);
  }

  /** Hands the bytes of inode {@code ino}'s extents below {@code size} to {@code out}, in order. */
  private void extents(Subvolume sv, long ino, long size, Content out) throws FilesystemException {
    long done = 0; // where the last extent ended: extents must not overlap
    for (Item it : search(sv.bytenr(), sv.level(), ino, EXTENT_DATA, 0, ino, EXTENT_DATA, -1)) {
      long fileAt = it.offset();
      if (fileAt < done || fileAt < 0) {
        throw new FilesystemException("extents of inode " + ino + " overlap");
      }
      if (fileAt >= size) {
        break;
      }
      byte[] n = it.node();
      int d = it.data();
      if (it.size() < 21) {
        throw new FilesystemException("an extent of inode " + ino + " is cut short");
      }
      long ramBytes = Le.u64(n, d + 8);
      int compression = Le.u8(n, d + 16);
      if (Le.u8(n, d + 17) != 0 || Le.u16(n, d + 18) != 0) {
        throw new FilesystemException("inode " + ino + " is encrypted or encoded");
      }
      int type = Le.u8(n, d + 20);
      if (type == 0) { // inline, in the leaf
        byte[] plain =
            compression == 0
                ? Arrays.copyOfRange(n, d + 21, d + it.size())
                : decompress(compression, Arrays.copyOfRange(n, d + 21, d + it.size()), ramBytes);
        int length = (int) Math.min(plain.length, size - fileAt);
        out.write(fileAt, plain, 0, length);
        done = fileAt + length;
        continue;
      }
      if (type != 1 && type != 2 || it.size() < 53) {
        throw new FilesystemException("an extent of inode " + ino + " of unknown type " + type);
      }
      long diskAt = Le.u64(n, d + 21);
      long diskBytes = Le.u64(n, d + 29);
      long extentOffset = Le.u64(n, d + 37);
      long length = Math.min(Le.u64(n, d + 45), size - fileAt);
      if (length < 0 || extentOffset < 0 || diskBytes < 0) {
        throw new FilesystemException("an extent of inode " + ino + " is implausible");
      }
      done = fileAt + length;
      if (type == 2 || diskAt == 0) {
        continue; // preallocated, or a hole: zeros
      }
      if (compression == 0) {
        if (extentOffset + length > diskBytes) {
          throw new FilesystemException("an extent of inode " + ino + " runs past its data");
        }
        long physical = layout.physical(diskAt + extentOffset, length);
        copyRun(part, fileAt, physical, length, out);
        continue;
      }
      if (diskBytes > MAX_COMPRESSED || ramBytes > MAX_COMPRESSED) {
        throw new FilesystemException("a compressed extent of inode " + ino + " is too large");
      }
      byte[] stored = part.read(layout.physical(diskAt, diskBytes), (int) diskBytes);
      byte[] plain = decompress(compression, stored, ramBytes);
      if (extentOffset + length > plain.length) {
        throw new FilesystemException("a compressed extent of inode " + ino + " is short");
      }
      out.write(fileAt, plain, (int) extentOffset, (int) length);
    }
  }

  private byte[] decompress(int compression, byte[] stored, long ramBytes)
      throws FilesystemException {
    if (ramBytes < 0 || ramBytes > MAX_COMPRESSED) {
      throw new FilesystemException("a compressed extent claims " + ramBytes + " bytes");
    }
    byte[] plain = new byte[(int) ramBytes];
    switch (compression) {
      case COMPRESS_ZLIB -> {
        Inflater inflater = new Inflater();
        try {
          inflater.setInput(stored);
          int n = 0;
          while (n < plain.length && !inflater.finished()) {
            int got = inflater.inflate(plain, n, plain.length - n);
            if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
              break;
            }
            n += got;
          }
        } catch (DataFormatException e) {
          throw new FilesystemException("a zlib extent does not decompress: " + e.getMessage());
        } finally {
          inflater.end();
        }
      }
      case COMPRESS_ZSTD -> {
        // the frame is followed by zeros up to the sector's end, which zstd would misread
        try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
          long frame = Zstd.findFrameCompressedSize(stored, 0, stored.length);
          if (Zstd.isError(frame) || frame > stored.length) {
            throw new FilesystemException("a zstd extent holds no whole frame");
          }
          ctx.decompressByteArray(plain, 0, plain.length, stored, 0, (int) frame);
        } catch (RuntimeException e) {
          throw new FilesystemException("a zstd extent does not decompress: " + e.getMessage());
        }
      }
      case COMPRESS_LZO -> lzo(stored, plain);
      default -> throw new FilesystemException("unknown compression " + compression);
    }
    return plain;
  }

  /**
   * An LZO extent as fs/btrfs/lzo.c writes it: its whole length (4 bytes, little-endian), then
   * segments, each a length and the LZO1X stream of one sector's bytes. A segment's length never
   * straddles a sector: where fewer than 4 bytes are left in one, zeros fill it.
   */
  private void lzo(byte[] stored, byte[] plain) throws FilesystemException {
    if (stored.length < 4) {
      throw new FilesystemException("an LZO extent is cut short");
    }
    long total = Le.u32(stored, 0);
    if (total < 4 || total > stored.length) {
      throw new FilesystemException("an LZO extent claims " + total + " bytes");
    }
    LzoDecompressor lzo = new LzoDecompressor();
    int in = 4;
    int out = 0;
    while (in < total && out < plain.length) {
      if (in + 4 > total) {
        throw new FilesystemException("an LZO extent's segment is cut short");
      }
      long segment = Le.u32(stored, in);
      in += 4;
      if (segment > total - in) {
        throw new FilesystemException("an LZO segment runs past its extent");
      }
      int want = Math.min(sectorSize, plain.length - out);
      try {
        out += lzo.decompress(stored, in, (int) segment, plain, out, want);
      } catch (RuntimeException e) {
        throw new FilesystemException("an LZO extent does not decompress: " + e.getMessage());
      }
      in += (int) segment;
      int left = sectorSize - in % sectorSize;
      if (left < 4) {
        in += left; // padding before the next segment's length
      }
    }
  }

  /**
   * The items from key (o1, t1, f1) to key (o2, t2, f2), both included, of the tree whose root node
   * is at {@code root}, in key order; objectids and offsets compare unsigned, so -1 is the largest.
   */
  private List<Item> search(
      long root, int level, long o1, int t1, long f1, long o2, int t2, long f2)
      throws FilesystemException {
    List<Item> out = new ArrayList<>();
    search(root, level, new long[] {o1, t1, f1}, new long[] {o2, t2, f2}, out);
    return out;
  }

  private void search(long logical, int level, long[] lo, long[] hi, List<Item> out)
      throws FilesystemException {
    if (level > Btrfs.MAX_LEVEL) {
      throw new FilesystemException("a tree deeper than " + Btrfs.MAX_LEVEL + " levels");
    }
    byte[] n = node(logical);
    if (Le.u8(n, 0x64) != level) {
      throw new FilesystemException("tree node at " + logical + " is at the wrong level");
    }
    long items = Le.u32(n, 0x60);
    int header = Btrfs.HEADER;
    if (level == 0) {
      if (header + 25 * items > nodeSize) {
        throw new FilesystemException("tree leaf at " + logical + " holds too many items");
      }
      for (int i = 0; i < items; i++) {
        int k = header + 25 * i;
        if (compare(n, k, lo) < 0) {
          continue;
        }
        if (compare(n, k, hi) > 0) {
          return;
        }
        int data = header + (int) Le.u32(n, k + 17);
        int size = (int) Le.u32(n, k + 21);
        if (size < 0 || data < header || data + size > nodeSize) {
          throw new FilesystemException("an item lies outside tree leaf " + logical);
        }
        out.add(new Item(Le.u64(n, k), Le.u8(n, k + 8), Le.u64(n, k + 9), n, data, size));
      }
      return;
    }
    if (header + 33 * items > nodeSize) {
      throw new FilesystemException("tree node at " + logical + " holds too many pointers");
    }
    for (int i = 0; i < items; i++) {
      int k = header + 33 * i;
      // child i holds keys from its own key up to the next child's key
      if (i + 1 < items && compare(n, k + 33, lo) <= 0) {
        continue;
      }
      if (compare(n, k, hi) > 0) {
        return;
      }
      search(Le.u64(n, k + 17), level - 1, lo, hi, out);
    }
  }

  /** The key at {@code at} of node {@code n} against {objectid, type, offset}. */
  private static int compare(byte[] n, int at, long[] key) {
    int c = Long.compareUnsigned(Le.u64(n, at), key[0]);
    if (c == 0) {
      c = Integer.compare(Le.u8(n, at + 8), (int) key[1]);
    }
    if (c == 0) {
      c = Long.compareUnsigned(Le.u64(n, at + 9), key[2]);
    }
    return c;
  }

  /** A tree node, checked: its CRC32C, its own address and its filesystem's id. */
  private byte[] node(long logical) throws FilesystemException {
    byte[] n;
    synchronized (nodes) {
      n = nodes.get(logical);
    }
    if (n != null) {
      return n;
    }
    n = part.read(layout.physical(logical, nodeSize), nodeSize);
    if (Btrfs.crc(n, nodeSize) != Le.u32(n, 0)
        || Le.u64(n, 0x30) != logical
        || !Arrays.equals(n, 0x20, 0x30, fsid, 0, 16)) {
      throw new FilesystemException("tree node at " + logical + " fails its checks");
    }
    synchronized (nodes) {
      nodes.put(logical, n);
    }
    return n;
  }
}
