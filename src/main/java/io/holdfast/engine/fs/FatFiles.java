package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a FAT12/16/32 volume: folders are chains of 32-byte entries (long names in the
 * entries before each short one), files chains of clusters. FAT keeps local time without a zone; it
 * is read as UTC, as Linux mounts it by default.
 */
final class FatFiles extends FileTree {

  private static final int ATTR_DIRECTORY = 0x10;
  private static final int ATTR_VOLUME = 0x08;
  private static final int ATTR_LONG_NAME = 0x0F;

  /** A folder holds at most 65,536 entries of 32 bytes. */
  private static final long MAX_FOLDER = 65536L * 32;

  private static final Charset OEM =
      Charset.isSupported("IBM437") ? Charset.forName("IBM437") : StandardCharsets.ISO_8859_1;

  private final Region part;
  private final Fat.Geometry g;
  private final Fat.Entries fat;
  private final long clusterBytes;
  private final long dataStart;
  private final long rootCluster;

  FatFiles(Region part) throws FilesystemException {
    this.part = part;
    byte[] bs = part.read(0, 512);
    g = Fat.geometry(bs);
    long bps = g.bytesPerSector();
    if (g.totalSectors() * bps > part.length()) {
      throw new FilesystemException("volume larger than its partition");
    }
    fat = new Fat.Entries(part, g.reserved() * bps, g.fatSectors() * bps, g.bits());
    clusterBytes = (long) g.sectorsPerCluster() * bps;
    dataStart = g.firstDataSector() * bps;
    rootCluster = g.bits() == 32 ? Le.u32(bs, 44) : 0;
    if (g.bits() == 32 && !isCluster(rootCluster)) {
      throw new FilesystemException("the root folder's cluster " + rootCluster + " does not exist");
    }
  }

  @Override
  public String filesystem() {
    return "fat" + g.bits();
  }

  @Override
  boolean ignoresCase() {
    return true;
  }

  @Override
  public FileEntry root() {
    return new FileEntry(
        "/", FileEntry.Kind.DIRECTORY, 0, null, null, -1, -1, null, rootCluster, 1);
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    byte[] data;
    if (dir.ref() == 0) {
      // FAT12/16: the root folder has a fixed place between the FATs and the data
      long at = (g.reserved() + (long) g.fats() * g.fatSectors()) * g.bytesPerSector();
      data = part.read(at, g.rootDirSectors() * g.bytesPerSector());
    } else {
      data = chainBytes(dir.ref(), MAX_FOLDER);
    }
    List<FileEntry> out = new ArrayList<>();
    String[] longName = null;
    int longSum = -1;
    for (int at = 0; at + 32 <= data.length; at += 32) {
      int first = Le.u8(data, at);
      if (first == 0) {
        break;
      }
      int attr = Le.u8(data, at + 11);
      if (first == 0xE5) {
        longName = null;
        continue;
      }
      if ((attr & 0x3F) == ATTR_LONG_NAME) {
        int order = first & 0x3F;
        if ((first & 0x40) != 0 && order > 0) {
          longName = new String[order];
          longSum = Le.u8(data, at + 13);
        }
        if (longName != null && order >= 1 && order <= longName.length) {
          longName[order - 1] = longNamePart(data, at);
        } else {
          longName = null;
        }
        continue;
      }
      String[] parts = longName;
      longName = null;
      if ((attr & ATTR_VOLUME) != 0) {
        continue;
      }
      String name = shortName(data, at);
      if (name.equals(".") || name.equals("..")) {
        continue;
      }
      if (parts != null && longSum == checksum(data, at) && complete(parts)) {
        name = String.join("", parts);
      }
      long cluster =
          (g.bits() == 32 ? (long) Le.u16(data, at + 20) << 16 : 0) | Le.u16(data, at + 26);
      boolean folder = (attr & ATTR_DIRECTORY) != 0;
      long size = folder ? 0 : Le.u32(data, at + 28);
      if (cluster != 0 && !isCluster(cluster)) {
        throw new FilesystemException(
            name + " starts at cluster " + cluster + ", which does not exist");
      }
      if (folder && cluster == 0) {
        throw new FilesystemException("folder " + name + " has no cluster");
      }
      out.add(
          new FileEntry(
              dir.child(name),
              folder ? FileEntry.Kind.DIRECTORY : FileEntry.Kind.FILE,
              size,
              time(Le.u16(data, at + 24), Le.u16(data, at + 22)),
              null,
              -1,
              -1,
              null,
              cluster,
              1));
    }
    return out;
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    long left = file.size();
    long c = file.ref();
    long fileAt = 0;
    long steps = 0;
    while (left > 0) {
      if (c == 0 || !isCluster(c)) {
        throw new FilesystemException(
            "its cluster chain ends before its " + file.size() + " bytes");
      }
      // consecutive clusters are read at once, up to FileTree.PIECE
      long runStart = c;
      long run = 1;
      long next = fat.get(c);
      while (run * clusterBytes < left
          && run * clusterBytes < FileTree.PIECE
          && next == c + 1
          && isCluster(next)) {
        c = next;
        next = fat.get(c);
        run++;
      }
      steps += run;
      if (steps > g.clusters()) {
        throw new FilesystemException("its cluster chain runs in a circle");
      }
      int n = (int) Math.min(left, run * clusterBytes);
      byte[] piece = part.read(dataStart + (runStart - 2) * clusterBytes, n);
      out.write(fileAt, piece, 0, n);
      fileAt += n;
      left -= n;
      c = isEnd(next) ? 0 : next;
    }
  }

  /** The clusters of a chain, up to {@code max} bytes. */
  private byte[] chainBytes(long first, long max) throws FilesystemException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long c = first;
    long steps = 0;
    while (true) {
      if (!isCluster(c)) {
        throw new FilesystemException("a folder's cluster chain reaches cluster " + c);
      }
      if (++steps > g.clusters() || out.size() > max) {
        throw new FilesystemException("a folder's cluster chain is too long or runs in a circle");
      }
      out.writeBytes(part.read(dataStart + (c - 2) * clusterBytes, clusterBytes));
      long next = fat.get(c);
      if (isEnd(next)) {
        return out.toByteArray();
      }
      c = next;
    }
  }

  private boolean isCluster(long c) {
    return c >= 2 && c < g.clusters() + 2;
  }

  private boolean isEnd(long v) {
    long mark = g.bits() == 12 ? 0xFF8 : g.bits() == 16 ? 0xFFF8 : 0x0FFFFFF8L;
    return v >= mark;
  }

  private static String longNamePart(byte[] d, int at) {
    StringBuilder s = new StringBuilder(13);
    int[][] spans = {{1, 5}, {14, 6}, {28, 2}};
    for (int[] span : spans) {
      for (int i = 0; i < span[1]; i++) {
        char ch = (char) Le.u16(d, at + span[0] + i * 2);
        if (ch == 0 || ch == 0xFFFF) {
          return s.toString();
        }
        s.append(ch);
      }
    }
    return s.toString();
  }

  private static boolean complete(String[] parts) {
    for (String p : parts) {
      if (p == null) {
        return false;
      }
    }
    return true;
  }

  private static String shortName(byte[] d, int at) {
    byte[] raw = java.util.Arrays.copyOfRange(d, at, at + 11);
    if ((raw[0] & 0xFF) == 0x05) {
      raw[0] = (byte) 0xE5; // a name that really starts with 0xE5
    }
    int case_ = Le.u8(d, at + 12);
    String base = new String(raw, 0, 8, OEM).stripTrailing();
    String ext = new String(raw, 8, 3, OEM).stripTrailing();
    if ((case_ & 0x08) != 0) {
      base = base.toLowerCase(java.util.Locale.ROOT);
    }
    if ((case_ & 0x10) != 0) {
      ext = ext.toLowerCase(java.util.Locale.ROOT);
    }
    return ext.isEmpty() ? base : base + "." + ext;
  }

  private static int checksum(byte[] d, int at) {
    int sum = 0;
    for (int i = 0; i < 11; i++) {
      sum = (((sum & 1) << 7) + (sum >> 1) + (d[at + i] & 0xFF)) & 0xFF;
    }
    return sum;
  }

  private static Instant time(int date, int time) {
    if (date == 0) {
      return null;
    }
    try {
      return LocalDateTime.of(
              1980 + (date >> 9),
              (date >> 5) & 15,
              date & 31,
              time >> 11,
              (time >> 5) & 63,
              Math.min(59, (time & 31) * 2))
          .toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null; // a damaged date is not worth failing a listing over
    }
  }
}
