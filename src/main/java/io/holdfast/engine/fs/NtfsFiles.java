package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of an NTFS volume: folders through their $I30 index (the root node in the MFT record,
 * the rest in index blocks that the index's bitmap marks in use), files through their unnamed $DATA
 * attribute. Short (DOS) duplicates of long names and the volume's own $ files are left out.
 */
final class NtfsFiles extends FileTree {

  private static final long ROOT = 5;
  private static final long ATTR_STANDARD_INFORMATION = 0x10;
  private static final long ATTR_ATTRIBUTE_LIST = 0x20;
  private static final long ATTR_DATA = 0x80;
  private static final long ATTR_INDEX_ROOT = 0x90;
  private static final long ATTR_INDEX_ALLOCATION = 0xA0;
  private static final long ATTR_BITMAP = 0xB0;
  private static final long FILE_ATTR_REPARSE = 0x400;
  private static final long FILE_ATTR_DIRECTORY = 0x10000000L;
  private static final int NAMESPACE_DOS = 2;
  private static final long MAX_INDEX = 1L << 30;

  /** 100 ns intervals from 1601 to 1970. */
  private static final long EPOCH_DIFFERENCE = 116_444_736_000_000_000L;

  private final Region part;
  private final Ntfs.Volume v;
  private final List<Ntfs.Run> mft;

  NtfsFiles(Region part) throws FilesystemException {
    this.part = part;
    v = Ntfs.volume(part);
    byte[] mftRecord = v.recordAt(v.mftLcn() * v.clusterBytes());
    mft = Ntfs.runs(mftRecord, Ntfs.attribute(mftRecord, ATTR_DATA, ""), v.clusters());
  }

  @Override
  public String filesystem() {
    return "ntfs";
  }

  @Override
  boolean ignoresCase() {
    return true;
  }

  @Override
  public FileEntry root() {
    try {
      byte[] rec = v.record(mft, ROOT);
      return new FileEntry(
          "/", FileEntry.Kind.DIRECTORY, 0, modified(rec), null, -1, -1, null, ROOT, 1);
    } catch (FilesystemException e) {
      throw new io.holdfast.engine.EngineException(
          "The NTFS root folder cannot be read: " + e.getMessage() + ".", e);
    }
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    byte[] base = record(dir.ref(), -1);
    List<Segment> roots = segments(base, ATTR_INDEX_ROOT, "$I30");
    if (roots.isEmpty() || Le.u8(roots.get(0).rec(), roots.get(0).at() + 8) != 0) {
      throw new FilesystemException("the folder has no $I30 index root");
    }
    byte[] rec = roots.get(0).rec();
    int ir = roots.get(0).at();
    int value = ir + Le.u16(rec, ir + 20);
    if (value + 32 > rec.length) {
      throw new FilesystemException("the index root runs past its MFT record");
    }
    long blockBytes = Le.u32(rec, value + 8);
    List<FileEntry> out = new ArrayList<>();
    node(dir, rec, value + 16, ir + (int) Le.u32(rec, ir + 4), out);
    List<Segment> allocation = segments(base, ATTR_INDEX_ALLOCATION, "$I30");
    if (allocation.isEmpty()) {
      return out;
    }
    if (blockBytes < 512 || blockBytes > 65536 || Long.bitCount(blockBytes) != 1) {
      throw new FilesystemException("implausible index block size " + blockBytes);
    }
    byte[] inUse = indexBitmap(base);
    Segment first = allocation.get(0);
    long size = Le.u64(first.rec(), first.at() + 48);
    if (size < 0 || size > MAX_INDEX) {
      throw new FilesystemException("folder index of implausible size");
    }
    for (Segment seg : allocation) {
      long vcnBytes = lowestVcn(seg) * v.clusterBytes();
      for (Ntfs.Run r : Ntfs.runs(seg.rec(), seg.at(), v.clusters())) {
        long runBytes = r.length() * v.clusterBytes();
        for (long at = 0; at + blockBytes <= runBytes && vcnBytes + at < size; at += blockBytes) {
          long n = (vcnBytes + at) / blockBytes;
          boolean used = n / 8 < inUse.length && (inUse[(int) (n / 8)] & (1 << (n % 8))) != 0;
          if (!used || r.lcn() < 0) {
            continue; // a free index block may hold the names of deleted files
          }
          byte[] b = part.read(r.lcn() * v.clusterBytes() + at, blockBytes);
          Ntfs.applyFixups(b, "INDX");
          node(dir, b, 0x18, b.length, out);
          if (out.size() > MAX_ENTRIES) {
            throw new FilesystemException("more than " + MAX_ENTRIES + " entries in one folder");
          }
        }
        vcnBytes += runBytes;
      }
    }
    return out;
  }

  /** The $I30 bitmap: which index blocks are in use. */
  private byte[] indexBitmap(byte[] base) throws FilesystemException {
    List<Segment> segs = segments(base, ATTR_BITMAP, "$I30");
    if (segs.isEmpty()) {
      throw new FilesystemException("the folder's index has no bitmap");
    }
    byte[] rec = segs.get(0).rec();
    int bm = segs.get(0).at();
    if (Le.u8(rec, bm + 8) == 0) {
      long len = Le.u32(rec, bm + 16);
      int off = bm + Le.u16(rec, bm + 20);
      if (off + len > rec.length) {
        throw new FilesystemException("index bitmap runs past its MFT record");
      }
      return java.util.Arrays.copyOfRange(rec, off, off + (int) len);
    }
    long len = Le.u64(rec, bm + 48);
    if (len < 0 || len > MAX_INDEX / 512) {
      throw new FilesystemException("index bitmap of implausible size");
    }
    return Ntfs.readRunsData(part, Ntfs.runs(rec, bm, v.clusters()), v.clusterBytes(), len);
  }

  /** The entries of one index node whose header is at {@code header}. */
  private void node(FileEntry dir, byte[] b, int header, int limit, List<FileEntry> out)
      throws FilesystemException {
    Ntfs.forEachIndexEntry(
        b,
        header,
        limit,
        (ref, key, keyLen) -> {
          String name = Ntfs.fileName(b, key, keyLen);
          long record = ref & 0xFFFFFFFFFFFFL;
          int namespace = Le.u8(b, key + 65);
          if (name != null
              && namespace != NAMESPACE_DOS
              && !(record < 24 && name.startsWith("$"))
              && !name.equals(".")) {
            FileEntry e = entry(dir.child(name), record, (int) (ref >>> 48), Le.u64(b, key + 56));
            if (e != null) {
              out.add(e);
            }
          }
        });
  }

  /** The file an index entry names, or null when its record no longer holds it. */
  private FileEntry entry(String path, long record, int sequence, long fileFlags)
      throws FilesystemException {
    byte[] rec;
    try {
      rec = record(record, sequence);
    } catch (Stale e) {
      return null;
    }
    boolean folder = (Le.u16(rec, 22) & 2) != 0 || (fileFlags & FILE_ATTR_DIRECTORY) != 0;
    FileEntry.Kind kind =
        (fileFlags & FILE_ATTR_REPARSE) != 0
            ? FileEntry.Kind.SPECIAL // a junction or link: what it points at may not be here
            : folder ? FileEntry.Kind.DIRECTORY : FileEntry.Kind.FILE;
    long size = 0;
    if (kind == FileEntry.Kind.FILE) {
      List<Segment> data = segments(rec, ATTR_DATA, "");
      if (!data.isEmpty()) {
        byte[] d = data.get(0).rec();
        int a = data.get(0).at();
        size = Le.u8(d, a + 8) == 0 ? Le.u32(d, a + 16) : Le.u64(d, a + 48);
      }
      if (size < 0) {
        throw new FilesystemException("a file of negative size");
      }
    }
    // the record's count of names counts a short DOS name as well, never listed apart
    return new FileEntry(
        path, kind, size, modified(rec), null, -1, -1, null, record, Le.u16(rec, 0x12));
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    byte[] base = record(file.ref(), -1);
    List<Segment> data = segments(base, ATTR_DATA, "");
    if (data.isEmpty()) {
      return;
    }
    byte[] rec = data.get(0).rec();
    int first = data.get(0).at();
    if (Le.u8(rec, first + 8) == 0) {
      long len = Le.u32(rec, first + 16);
      int off = first + Le.u16(rec, first + 20);
      if (off + len > rec.length) {
        throw new FilesystemException("resident data runs past its MFT record");
      }
      out.write(0, rec, off, (int) len);
      return;
    }
    if (lowestVcn(data.get(0)) != 0) {
      throw new FilesystemException("the file's data does not start at its first cluster");
    }
    int flags = Le.u16(rec, first + 12);
    if ((flags & 0x4000) != 0) {
      throw new FilesystemException("the file is encrypted (EFS)");
    }
    long size = Le.u64(rec, first + 48);
    long initialized = Math.min(size, Le.u64(rec, first + 56));
    if ((flags & 0x00FF) != 0) {
      compressed(data, rec, first, initialized, out);
      return;
    }
    for (Segment seg : data) {
      if (Le.u8(seg.rec(), seg.at() + 8) == 0) {
        throw new FilesystemException("a resident piece of non-resident data");
      }
      long fileAt = lowestVcn(seg) * v.clusterBytes();
      for (Ntfs.Run r : Ntfs.runs(seg.rec(), seg.at(), v.clusters())) {
        long runBytes = r.length() * v.clusterBytes();
        if (r.lcn() >= 0 && fileAt < initialized) {
          copyRun(
              part,
              fileAt,
              r.lcn() * v.clusterBytes(),
              Math.min(runBytes, initialized - fileAt),
              out);
        }
        fileAt += runBytes;
      }
    }
  }

  /**
   * NTFS compression (LZNT1): the data is cut into units of 16 clusters. A unit with every cluster
   * allocated is stored as it is, one with none is zeros, and one with fewer holds its data
   * compressed in the clusters it has, followed by a hole for the rest.
   */
  private void compressed(List<Segment> data, byte[] rec, int first, long initialized, Content out)
      throws FilesystemException {
    int unitLog = Le.u16(rec, first + 34);
    if ((Le.u16(rec, first + 12) & 0x00FF) != 1 || unitLog == 0 || unitLog > 8) {
      throw new FilesystemException("a compression this reader does not know");
    }
    long unit = 1L << unitLog;
    long unitBytes = unit * v.clusterBytes();
    if (unitBytes > (1 << 20)) {
      throw new FilesystemException("compression units of implausible size");
    }
    // the clusters of the whole attribute, by cluster of the file: -1 for a hole
    List<long[]> map = new ArrayList<>(); // {first vcn, lcn or -1, clusters}
    for (Segment seg : data) {
      if (Le.u8(seg.rec(), seg.at() + 8) == 0) {
        throw new FilesystemException("a resident piece of non-resident data");
      }
      long vcn = lowestVcn(seg);
      for (Ntfs.Run r : Ntfs.runs(seg.rec(), seg.at(), v.clusters())) {
        map.add(new long[] {vcn, r.lcn(), r.length()});
        vcn += r.length();
      }
    }
    int m = 0;
    byte[] stored = new byte[(int) unitBytes];
    byte[] plain = new byte[(int) unitBytes];
    for (long u = 0; u * unitBytes < initialized; u++) {
      long from = u * unit;
      int have = 0;
      // the unit's allocated clusters, in order
      for (long c = from; c < from + unit; ) {
        while (m < map.size() && map.get(m)[0] + map.get(m)[2] <= c) {
          m++;
        }
        if (m == map.size() || map.get(m)[0] > c) {
          break; // past the runs: the rest is a hole
        }
        long[] run = map.get(m);
        long n = Math.min(run[0] + run[2], from + unit) - c;
        if (run[1] >= 0) {
          byte[] b = part.read((run[1] + (c - run[0])) * v.clusterBytes(), n * v.clusterBytes());
          System.arraycopy(b, 0, stored, have, b.length);
          have += b.length;
        }
        c += n;
      }
      long fileAt = u * unitBytes;
      int length = (int) Math.min(unitBytes, initialized - fileAt);
      if (have == 0) {
        continue; // a hole
      }
      if (have == unitBytes) {
        out.write(fileAt, stored, 0, length);
        continue;
      }
      java.util.Arrays.fill(plain, (byte) 0);
      Lznt1.decompress(stored, have, plain);
      out.write(fileAt, plain, 0, length);
    }
  }

  /** One piece of an attribute: the MFT record that holds it and where in it. */
  private record Segment(byte[] rec, int at) {}

  /** The first cluster of the attribute a segment holds a piece of; 0 for a resident one. */
  private static long lowestVcn(Segment s) throws FilesystemException {
    if (Le.u8(s.rec(), s.at() + 8) == 0) {
      return 0;
    }
    long vcn = Le.u64(s.rec(), s.at() + 16);
    if (vcn < 0) {
      throw new FilesystemException("an attribute starting at a negative cluster");
    }
    return vcn;
  }

  /**
   * The pieces of attribute {@code type} called {@code name} of the file whose base record is
   * {@code base}, in cluster order: in the base record, or where its $ATTRIBUTE_LIST says, for a
   * file whose attributes outgrew one record (a fragmented file, a large folder).
   */
  private List<Segment> segments(byte[] base, long type, String name) throws FilesystemException {
    int list = Ntfs.attribute(base, ATTR_ATTRIBUTE_LIST, null);
    if (list < 0) {
      int a = Ntfs.attribute(base, type, name);
      return a < 0 ? List.of() : List.of(new Segment(base, a));
    }
    byte[] entries = attributeList(base, list);
    List<long[]> wanted = new ArrayList<>(); // {first cluster, record}
    int p = 0;
    while (p + 26 <= entries.length) {
      long t = Le.u32(entries, p);
      int len = Le.u16(entries, p + 4);
      int nameLen = Le.u8(entries, p + 6);
      int nameOff = Le.u8(entries, p + 7);
      if (len < 26 || p + len > entries.length || nameOff + 2 * nameLen > len) {
        throw new FilesystemException("bad attribute list entry");
      }
      String n =
          new String(entries, p + nameOff, 2 * nameLen, java.nio.charset.StandardCharsets.UTF_16LE);
      if (t == type && n.equals(name)) {
        wanted.add(new long[] {Le.u64(entries, p + 8), Le.u64(entries, p + 16) & 0xFFFFFFFFFFFFL});
        if (wanted.size() > 65536) {
          throw new FilesystemException("an attribute in more pieces than is plausible");
        }
      }
      p += len;
    }
    wanted.sort(java.util.Comparator.comparingLong(w -> w[0]));
    List<Segment> out = new ArrayList<>();
    for (long[] w : wanted) {
      if (w[1] >= Long.MAX_VALUE / v.recordBytes()) {
        throw new FilesystemException("the attribute list names MFT record " + w[1]);
      }
      byte[] rec = v.record(mft, w[1]);
      int found = -1;
      for (int off = Ntfs.first(rec), guard = 0;
          off >= 0 && guard < 256;
          off = Ntfs.next(rec, off), guard++) {
        if (Le.u32(rec, off) != type || off + 24 > rec.length) {
          continue;
        }
        int nl = Le.u8(rec, off + 9);
        int no = Le.u16(rec, off + 10);
        if (off + no + 2 * nl > rec.length) {
          throw new FilesystemException("attribute name runs past its MFT record");
        }
        String n = new String(rec, off + no, 2 * nl, java.nio.charset.StandardCharsets.UTF_16LE);
        if (n.equals(name) && lowestVcn(new Segment(rec, off)) == w[0]) {
          found = off;
          break;
        }
      }
      if (found < 0) {
        throw new FilesystemException(
            "the attribute list names MFT record " + w[1] + ", which does not hold the piece");
      }
      out.add(new Segment(rec, found));
    }
    return out;
  }

  /** The entries of an $ATTRIBUTE_LIST, resident or not. */
  private byte[] attributeList(byte[] rec, int at) throws FilesystemException {
    if (Le.u8(rec, at + 8) == 0) {
      long len = Le.u32(rec, at + 16);
      int off = at + Le.u16(rec, at + 20);
      if (off + len > rec.length) {
        throw new FilesystemException("attribute list runs past its MFT record");
      }
      return java.util.Arrays.copyOfRange(rec, off, off + (int) len);
    }
    long len = Le.u64(rec, at + 48);
    if (len < 0 || len > (4L << 20)) {
      throw new FilesystemException("attribute list of implausible size");
    }
    return Ntfs.readRunsData(part, Ntfs.runs(rec, at, v.clusters()), v.clusterBytes(), len);
  }

  private static Instant modified(byte[] rec) throws FilesystemException {
    int si = Ntfs.attribute(rec, ATTR_STANDARD_INFORMATION, null);
    if (si < 0 || Le.u8(rec, si + 8) != 0) {
      return null;
    }
    int value = si + Le.u16(rec, si + 20);
    if (value + 16 > rec.length) {
      return null;
    }
    long t = Le.u64(rec, value + 8) - EPOCH_DIFFERENCE;
    return Instant.ofEpochSecond(
        Math.floorDiv(t, 10_000_000L), Math.floorMod(t, 10_000_000L) * 100);
  }

  /** Record n, in use and (unless {@code sequence} is -1) of that sequence number. */
  private byte[] record(long n, int sequence) throws FilesystemException {
    if (n >= Long.MAX_VALUE / v.recordBytes()) {
      throw new FilesystemException("MFT record " + n + " does not exist");
    }
    byte[] rec = v.record(mft, n);
    if ((Le.u16(rec, 22) & 1) == 0 || (sequence >= 0 && Le.u16(rec, 16) != sequence)) {
      throw new Stale();
    }
    return rec;
  }

  /** An index entry for a file deleted since, or a record reused. */
  private static final class Stale extends FilesystemException {
    Stale() {
      super("the MFT record is no longer in use");
    }
  }
}
