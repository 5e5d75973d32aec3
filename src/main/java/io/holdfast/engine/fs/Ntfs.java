package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * NTFS: the cluster allocation bitmap is the data of the {@code $Bitmap} file, MFT record 6, found
 * through the MFT location in the boot sector and the record's data runs.
 *
 * <p>Windows' paging, swap and hibernation files in the root directory are left out, as commercial
 * imagers do: Windows makes them anew, and a hibernation file restored as zeros holds no hibernated
 * session, so the restored system boots afresh. They are found through the root directory's index,
 * and each is taken only when its MFT record confirms it (in use, same sequence number, a name in
 * the root directory). Anything unexpected there keeps them in.
 */
final class Ntfs {

  private static final int MFT_RECORD = 0;
  private static final int ROOT_RECORD = 5;
  private static final int BITMAP_RECORD = 6;
  private static final long ATTR_FILE_NAME = 0x30;
  private static final long ATTR_ATTRIBUTE_LIST = 0x20;
  private static final long ATTR_DATA = 0x80;
  private static final long ATTR_INDEX_ROOT = 0x90;
  private static final long ATTR_INDEX_ALLOCATION = 0xA0;
  private static final long ATTR_END = 0xFFFFFFFFL;
  private static final Set<String> LEFT_OUT =
      Set.of("pagefile.sys", "hiberfil.sys", "swapfile.sys");
  private static final long MAX_ROOT_INDEX = 16L << 20;

  private Ntfs() {}

  static boolean detect(byte[] head) {
    return head.length >= 512
        && "NTFS    ".equals(new String(head, 3, 8, StandardCharsets.US_ASCII));
  }

  static Extents usedBytes(Region part) throws FilesystemException {
    return map(part).used();
  }

  /** The volume's geometry, from its boot sector. */
  static Volume volume(Region part) throws FilesystemException {
    byte[] bs = part.read(0, 512);
    int bps = Le.u16(bs, 11);
    int spcRaw = Le.u8(bs, 13);
    long clusterBytes = spcRaw > 0x80 ? (long) bps << (256 - spcRaw) : (long) bps * spcRaw;
    long totalSectors = Le.u64(bs, 40);
    long mftLcn = Le.u64(bs, 48);
    int recRaw = (byte) bs[64];
    if (bps < 256 || bps > 4096 || Integer.bitCount(bps) != 1) {
      throw new FilesystemException("implausible bytes per sector " + bps);
    }
    if (clusterBytes <= 0 || clusterBytes > (2L << 20) || Long.bitCount(clusterBytes) != 1) {
      throw new FilesystemException("implausible cluster size");
    }
    long recordBytes = recRaw < 0 ? 1L << -recRaw : recRaw * clusterBytes;
    if (recordBytes < 512 || recordBytes > 65536) {
      throw new FilesystemException("implausible MFT record size " + recordBytes);
    }
    long volumeBytes = totalSectors * bps;
    if (totalSectors <= 0 || volumeBytes > part.length()) {
      throw new FilesystemException("volume larger than its partition");
    }
    long clusters = volumeBytes / clusterBytes;
    return new Volume(part, clusterBytes, (int) recordBytes, clusters, mftLcn);
  }

  static Mapped map(Region part) throws FilesystemException {
    Volume v = volume(part);
    long clusterBytes = v.clusterBytes();
    long clusters = v.clusters();
    long mftLcn = v.mftLcn();
    long recordBytes = v.recordBytes();
    byte[] rec = v.recordAt(mftLcn * clusterBytes + BITMAP_RECORD * recordBytes);
    byte[] bitmap = readData(part, rec, clusterBytes, (clusters + 7) / 8);

    Extents.Builder used = new Extents.Builder();
    Ext4.addBitmapRuns(used, bitmap, clusters, 0, clusterBytes);
    // the boot sector's backup sits in the partition's last sector, past the last cluster
    used.add(clusters * clusterBytes, part.length());
    used.add(0, Math.min(part.length(), 8192));
    Extents all = used.build();

    Extents.Builder skip = new Extents.Builder();
    Set<String> names = new TreeSet<>();
    try {
      v.systemFiles(skip, names);
    } catch (FilesystemException | RuntimeException e) {
      return new Mapped(all, null); // keep them: an odd root directory costs bytes, not data
    }
    Extents kept = all.minus(skip.build());
    long saved = all.bytes() - kept.bytes();
    return saved == 0
        ? new Mapped(all, null)
        : new Mapped(
            kept,
            String.join(", ", names) + " left out (" + saved + " bytes); Windows makes them anew");
  }

  /** One data run: {@code length} clusters from {@code lcn}, or a hole when lcn is -1. */
  record Run(long lcn, long length) {}

  record Volume(Region part, long clusterBytes, int recordBytes, long clusters, long mftLcn) {

    /** An MFT record at a byte offset, with its update sequence undone. */
    byte[] recordAt(long at) throws FilesystemException {
      byte[] rec = part.read(at, recordBytes);
      applyFixups(rec, "FILE");
      return rec;
    }

    /** MFT record n, found through the runs of the MFT's own data. */
    byte[] record(List<Run> mft, long n) throws FilesystemException {
      byte[] rec = new byte[recordBytes];
      long want = n * recordBytes;
      int filled = 0;
      long vcnBytes = 0;
      for (Run r : mft) {
        long runBytes = r.length() * clusterBytes;
        while (filled < recordBytes && want + filled < vcnBytes + runBytes) {
          long inRun = want + filled - vcnBytes;
          if (inRun < 0 || r.lcn() < 0) {
            throw new FilesystemException("MFT record " + n + " lies in a hole");
          }
          int piece = (int) Math.min(recordBytes - filled, runBytes - inRun);
          byte[] b = part.read(r.lcn() * clusterBytes + inRun, piece);
          System.arraycopy(b, 0, rec, filled, piece);
          filled += piece;
        }
        vcnBytes += runBytes;
        if (filled == recordBytes) {
          applyFixups(rec, "FILE");
          return rec;
        }
      }
      throw new FilesystemException("MFT record " + n + " lies past the MFT's data runs");
    }

    /** Adds the clusters of the root directory's paging and hibernation files. */
    void systemFiles(Extents.Builder skip, Set<String> names) throws FilesystemException {
      byte[] mftRecord = recordAt(mftLcn * clusterBytes + MFT_RECORD * (long) recordBytes);
      List<Run> mft = runs(mftRecord, attribute(mftRecord, ATTR_DATA, ""), clusters);
      byte[] root = record(mft, ROOT_RECORD);
      int ir = attribute(root, ATTR_INDEX_ROOT, "$I30");
      if (ir < 0 || Le.u8(root, ir + 8) != 0) {
        throw new FilesystemException("root directory has no resident $I30 index root");
      }
      int value = ir + Le.u16(root, ir + 20);
      long indexBlock = Le.u32(root, value + 8);
      List<long[]> found = new ArrayList<>();
      entries(root, value + 16, ir + (int) Le.u32(root, ir + 4), found);
      int ia = attribute(root, ATTR_INDEX_ALLOCATION, "$I30");
      if (ia >= 0) {
        if (indexBlock < 512 || indexBlock > 65536 || Long.bitCount(indexBlock) != 1) {
          throw new FilesystemException("implausible index block size " + indexBlock);
        }
        long size = Math.min(Le.u64(root, ia + 48), MAX_ROOT_INDEX);
        byte[] index = readRunsData(part, runs(root, ia, clusters), clusterBytes, size);
        for (int at = 0; at + indexBlock <= index.length; at += (int) indexBlock) {
          byte[] block = java.util.Arrays.copyOfRange(index, at, at + (int) indexBlock);
          try {
            applyFixups(block, "INDX");
          } catch (FilesystemException unused) {
            continue; // a block never written, or torn: its entries are not trusted anyway
          }
          entries(block, 0x18, block.length, found);
        }
      }
      for (long[] f : found) {
        confirmAndSkip(mft, f[0], (int) f[1], skip, names);
      }
    }

    /** Index entries naming one of the files left out, in the root: {record, sequence}. */
    private static void entries(byte[] b, int header, int limit, List<long[]> found)
        throws FilesystemException {
      forEachIndexEntry(
          b,
          header,
          limit,
          (ref, key, keyLen) -> {
            String name = fileName(b, key, keyLen);
            if ((Le.u64(b, key) & 0xFFFFFFFFFFFFL) == ROOT_RECORD
                && name != null
                && LEFT_OUT.contains(name.toLowerCase(Locale.ROOT))) {
              found.add(new long[] {ref & 0xFFFFFFFFFFFFL, ref >>> 48});
            }
          });
    }

    /**
     * Takes the file's clusters only when its record is in use, is the one the index meant (same
     * sequence number), names itself in the root, and keeps all its data in one plain attribute.
     */
    private void confirmAndSkip(
        List<Run> mft, long n, int sequence, Extents.Builder skip, Set<String> names)
        throws FilesystemException {
      byte[] rec = record(mft, n);
      int flags = Le.u16(rec, 22);
      if ((flags & 1) == 0 || (flags & 2) != 0 || Le.u16(rec, 16) != sequence) {
        return;
      }
      if (Le.u64(rec, 32) != 0 || attribute(rec, ATTR_ATTRIBUTE_LIST, null) >= 0) {
        return;
      }
      String name = null;
      for (int off = first(rec); off >= 0; off = next(rec, off)) {
        if (Le.u32(rec, off) == ATTR_FILE_NAME && Le.u8(rec, off + 8) == 0) {
          int value = off + Le.u16(rec, off + 20);
          String n2 = fileName(rec, value, (int) Le.u32(rec, off + 16));
          if ((Le.u64(rec, value) & 0xFFFFFFFFFFFFL) == ROOT_RECORD
              && n2 != null
              && LEFT_OUT.contains(n2.toLowerCase(Locale.ROOT))) {
            name = n2.toLowerCase(Locale.ROOT);
          }
        }
      }
      int data = attribute(rec, ATTR_DATA, "");
      if (name == null || data < 0 || Le.u8(rec, data + 8) == 0) {
        return;
      }
      int attrFlags = Le.u16(rec, data + 12);
      if ((attrFlags & 0x00FF) != 0 || (attrFlags & 0x4000) != 0 || Le.u64(rec, data + 16) != 0) {
        return; // compressed, encrypted, or not starting at the file's first cluster
      }
      for (Run r : runs(rec, data, clusters)) {
        if (r.lcn() >= 0) {
          skip.add(r.lcn() * clusterBytes, (r.lcn() + r.length()) * clusterBytes);
        }
      }
      names.add(name);
    }
  }

  /** What {@link #forEachIndexEntry} hands on: a file reference and its $FILE_NAME key. */
  @FunctionalInterface
  interface IndexEntry {
    void accept(long ref, int key, int keyLength) throws FilesystemException;
  }

  /** The keyed entries of the index node whose header is at {@code header}, in order. */
  static void forEachIndexEntry(byte[] b, int header, int limit, IndexEntry each)
      throws FilesystemException {
    int p = header + (int) Le.u32(b, header);
    int end = Math.min(limit, header + (int) Le.u32(b, header + 4));
    for (int guard = 0; guard < 65536 && p + 16 <= end; guard++) {
      long ref = Le.u64(b, p);
      int len = Le.u16(b, p + 8);
      int keyLen = Le.u16(b, p + 10);
      long flags = Le.u32(b, p + 12);
      if ((flags & 2) != 0) {
        return; // the last entry holds no key
      }
      if (len < 16 || p + len > end || keyLen < 66 || 16 + keyLen > len) {
        throw new FilesystemException("bad index entry");
      }
      each.accept(ref, p + 16, keyLen);
      p += len;
    }
  }

  /** The name in a $FILE_NAME value of {@code length} bytes, or null if it does not fit. */
  static String fileName(byte[] b, int value, int length) {
    if (length < 66 || value + 66 > b.length) {
      return null;
    }
    int chars = Le.u8(b, value + 64);
    if (66 + 2 * chars > length || value + 66 + 2 * chars > b.length) {
      return null;
    }
    return new String(b, value + 66, 2 * chars, StandardCharsets.UTF_16LE);
  }

  static int first(byte[] rec) {
    int off = Le.u16(rec, 20);
    return off + 16 <= rec.length && Le.u32(rec, off) != ATTR_END ? off : -1;
  }

  static int next(byte[] rec, int off) throws FilesystemException {
    long len = Le.u32(rec, off + 4);
    if (len < 16 || off + len > rec.length) {
      throw new FilesystemException("attribute runs past its MFT record");
    }
    int n = off + (int) len;
    return n + 16 <= rec.length && Le.u32(rec, n) != ATTR_END ? n : -1;
  }

  /**
   * The first attribute of a type with the given name ("" for unnamed, null for any name), or -1.
   */
  static int attribute(byte[] rec, long type, String name) throws FilesystemException {
    int guard = 0;
    for (int off = first(rec); off >= 0 && guard++ < 256; off = next(rec, off)) {
      if (Le.u32(rec, off) != type) {
        continue;
      }
      int nameLen = Le.u8(rec, off + 9);
      int nameOff = Le.u16(rec, off + 10);
      if (name == null) {
        return off;
      }
      if (off + nameOff + 2 * nameLen > rec.length) {
        throw new FilesystemException("attribute name runs past its MFT record");
      }
      if (new String(rec, off + nameOff, 2 * nameLen, StandardCharsets.UTF_16LE).equals(name)) {
        return off;
      }
    }
    return -1;
  }

  /**
   * Undoes the update sequence: the last two bytes of every 512 bytes of a record were swapped for
   * a check value when it was written. The stride is 512 whatever the sector size (as in ntfs-3g's
   * NTFS_BLOCK_SIZE), so a volume on 4 KiB sectors has eight per 4 KiB record.
   */
  static void applyFixups(byte[] rec, String magic) throws FilesystemException {
    int stride = 512;
    if (!magic.equals(new String(rec, 0, 4, StandardCharsets.US_ASCII))) {
      throw new FilesystemException("not a " + magic + " record");
    }
    int usaOff = Le.u16(rec, 4);
    int usaCount = Le.u16(rec, 6);
    if (usaCount < 1
        || usaOff + usaCount * 2 > rec.length
        || (usaCount - 1) * stride > rec.length) {
      throw new FilesystemException("bad update sequence array");
    }
    for (int i = 1; i < usaCount; i++) {
      int end = i * stride - 2;
      if (rec[end] != rec[usaOff] || rec[end + 1] != rec[usaOff + 1]) {
        throw new FilesystemException("torn " + magic + " record (fixup mismatch)");
      }
      rec[end] = rec[usaOff + i * 2];
      rec[end + 1] = rec[usaOff + i * 2 + 1];
    }
  }

  private static byte[] readData(Region part, byte[] rec, long clusterBytes, long wanted)
      throws FilesystemException {
    int off = attribute(rec, ATTR_DATA, "");
    if (off < 0) {
      throw new FilesystemException("$Bitmap has no data attribute");
    }
    boolean nonResident = Le.u8(rec, off + 8) != 0;
    if (!nonResident) {
      return resident(rec, off, wanted);
    }
    List<Run> runs = runs(rec, off, Long.MAX_VALUE / clusterBytes);
    for (Run r : runs) {
      if (r.lcn() < 0) {
        throw new FilesystemException("sparse run in $Bitmap");
      }
    }
    byte[] out = readRunsData(part, runs, clusterBytes, wanted);
    if (out.length < wanted) {
      throw new FilesystemException("$Bitmap data runs cover less than the volume");
    }
    return out;
  }

  private static byte[] resident(byte[] rec, int off, long wanted) throws FilesystemException {
    long valueLen = Le.u32(rec, off + 16);
    int valueOff = Le.u16(rec, off + 20);
    if (valueLen < wanted || off + valueOff + wanted > rec.length) {
      throw new FilesystemException("resident $Bitmap too short");
    }
    byte[] out = new byte[(int) wanted];
    System.arraycopy(rec, off + valueOff, out, 0, (int) wanted);
    return out;
  }

  /** Up to {@code wanted} bytes of the data the runs hold; holes read as zeros. */
  static byte[] readRunsData(Region part, List<Run> runs, long clusterBytes, long wanted)
      throws FilesystemException {
    if (wanted > Integer.MAX_VALUE - 8) {
      throw new FilesystemException("attribute data implausibly large");
    }
    long total = 0;
    for (Run r : runs) {
      total += r.length() * clusterBytes;
    }
    byte[] out = new byte[(int) Math.min(wanted, total)];
    long filled = 0;
    for (Run r : runs) {
      if (filled >= out.length) {
        break;
      }
      long bytes = Math.min(r.length() * clusterBytes, out.length - filled);
      if (r.lcn() >= 0) {
        byte[] chunk = part.read(r.lcn() * clusterBytes, bytes);
        System.arraycopy(chunk, 0, out, (int) filled, (int) bytes);
      }
      filled += bytes;
    }
    return out;
  }

  /** The data runs of a non-resident attribute, each within the volume's clusters. */
  static List<Run> runs(byte[] rec, int attr, long clusters) throws FilesystemException {
    if (attr < 0 || Le.u8(rec, attr + 8) == 0) {
      throw new FilesystemException("attribute is not non-resident");
    }
    int p = attr + Le.u16(rec, attr + 32);
    int end = attr + (int) Le.u32(rec, attr + 4);
    if (end > rec.length) {
      throw new FilesystemException("attribute runs past its MFT record");
    }
    List<Run> runs = new ArrayList<>();
    long lcn = 0;
    while (p < end) {
      int header = Le.u8(rec, p++);
      if (header == 0) {
        break;
      }
      int lenBytes = header & 0x0F;
      int offBytes = header >>> 4;
      if (lenBytes == 0 || lenBytes > 8 || offBytes > 8 || p + lenBytes + offBytes > end) {
        throw new FilesystemException("bad data run");
      }
      long runLen = 0;
      for (int i = 0; i < lenBytes; i++) {
        runLen |= (long) Le.u8(rec, p + i) << (8 * i);
      }
      p += lenBytes;
      if (runLen <= 0 || runLen > clusters) {
        throw new FilesystemException("bad data run");
      }
      if (offBytes == 0) {
        runs.add(new Run(-1, runLen));
        continue;
      }
      long delta = 0;
      for (int i = 0; i < offBytes; i++) {
        delta |= (long) Le.u8(rec, p + i) << (8 * i);
      }
      if ((rec[p + offBytes - 1] & 0x80) != 0 && offBytes < 8) {
        delta |= -1L << (8 * offBytes);
      }
      p += offBytes;
      lcn += delta;
      if (lcn < 0 || lcn + runLen > clusters) {
        throw new FilesystemException("data run outside the volume");
      }
      runs.add(new Run(lcn, runLen));
    }
    return runs;
  }
}
