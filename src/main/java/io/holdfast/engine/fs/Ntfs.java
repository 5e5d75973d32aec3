package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;

/**
 * NTFS: the cluster allocation bitmap is the data of the {@code $Bitmap} file, MFT record 6, found
 * through the MFT location in the boot sector and the record's data runs.
 */
final class Ntfs {

  private static final int BITMAP_RECORD = 6;
  private static final long ATTR_DATA = 0x80;
  private static final long ATTR_END = 0xFFFFFFFFL;

  private Ntfs() {}

  static boolean detect(byte[] head) {
    return head.length >= 512
        && "NTFS    ".equals(new String(head, 3, 8, StandardCharsets.US_ASCII));
  }

  static Extents usedBytes(Region part) throws FilesystemException {
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
    byte[] rec = part.read(mftLcn * clusterBytes + BITMAP_RECORD * recordBytes, recordBytes);
    applyFixups(rec);
    byte[] bitmap = readData(part, rec, clusterBytes, (clusters + 7) / 8);

    Extents.Builder used = new Extents.Builder();
    Ext4.addBitmapRuns(used, bitmap, clusters, 0, clusterBytes);
    // the boot sector's backup sits in the partition's last sector, past the last cluster
    used.add(clusters * clusterBytes, part.length());
    used.add(0, Math.min(part.length(), 8192));
    return used.build();
  }

  /**
   * Undoes the update sequence: the last two bytes of every 512 bytes of a record were swapped for
   * a check value when it was written. The stride is 512 whatever the sector size (as in ntfs-3g's
   * NTFS_BLOCK_SIZE), so a volume on 4 KiB sectors has eight per 4 KiB record.
   */
  private static void applyFixups(byte[] rec) throws FilesystemException {
    int stride = 512;
    if (!"FILE".equals(new String(rec, 0, 4, StandardCharsets.US_ASCII))) {
      throw new FilesystemException("MFT record 6 is not a FILE record");
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
        throw new FilesystemException("torn MFT record (fixup mismatch)");
      }
      rec[end] = rec[usaOff + i * 2];
      rec[end + 1] = rec[usaOff + i * 2 + 1];
    }
  }

  private static byte[] readData(Region part, byte[] rec, long clusterBytes, long wanted)
      throws FilesystemException {
    int off = Le.u16(rec, 20);
    for (int guard = 0; guard < 64 && off + 16 <= rec.length; guard++) {
      long type = Le.u32(rec, off);
      if (type == ATTR_END) {
        break;
      }
      long len = Le.u32(rec, off + 4);
      if (len < 16 || off + len > rec.length) {
        throw new FilesystemException("attribute runs past its MFT record");
      }
      if (type == ATTR_DATA && Le.u8(rec, off + 9) == 0) {
        boolean nonResident = Le.u8(rec, off + 8) != 0;
        return nonResident
            ? readRuns(part, rec, off, (int) len, clusterBytes, wanted)
            : resident(rec, off, wanted);
      }
      off += (int) len;
    }
    throw new FilesystemException("$Bitmap has no data attribute");
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

  private static byte[] readRuns(
      Region part, byte[] rec, int attr, int attrLen, long clusterBytes, long wanted)
      throws FilesystemException {
    if (wanted > Integer.MAX_VALUE - 8) {
      throw new FilesystemException("$Bitmap implausibly large");
    }
    byte[] out = new byte[(int) wanted];
    int p = attr + Le.u16(rec, attr + 32);
    int end = attr + attrLen;
    long lcn = 0;
    long filled = 0;
    while (p < end && filled < wanted) {
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
      if (offBytes == 0) {
        throw new FilesystemException("sparse run in $Bitmap");
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
      if (runLen <= 0 || lcn < 0) {
        throw new FilesystemException("bad data run");
      }
      long bytes = Math.min(runLen * clusterBytes, wanted - filled);
      byte[] chunk = part.read(lcn * clusterBytes, bytes);
      System.arraycopy(chunk, 0, out, (int) filled, (int) bytes);
      filled += bytes;
    }
    if (filled < wanted) {
      throw new FilesystemException("$Bitmap data runs cover less than the volume");
    }
    return out;
  }
}
