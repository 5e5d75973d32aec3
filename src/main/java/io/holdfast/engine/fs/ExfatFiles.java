package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of an exFAT volume: folders are sets of 32-byte entries (a file entry, its stream
 * extension with the first cluster and lengths, then its name in pieces of 15 characters), data is
 * a cluster chain in the FAT or, flagged so, a contiguous run. Bytes past a file's valid data
 * length read as zeros.
 */
final class ExfatFiles extends FileTree {

  private static final int TYPE_FILE = 0x85;
  private static final int TYPE_STREAM = 0xC0;
  private static final int TYPE_NAME = 0xC1;
  private static final int ATTR_DIRECTORY = 0x10;
  private static final long MAX_FOLDER = 256L << 20; // exFAT's own limit for a folder

  private final Region part;
  private final Exfat.Geometry g;
  private final Exfat.Fat fat;

  /** A file's data: where it starts, how long it is and how much of it was written. */
  private record Stream(long first, long length, long valid, boolean contiguous) {}

  /**
   * Entries keep their stream in a side table, since {@link FileEntry#ref} is one number: the index
   * of the stream in {@link #streams}.
   */
  private final List<Stream> streams = new ArrayList<>();

  ExfatFiles(Region part) throws FilesystemException {
    this.part = part;
    byte[] bs = part.read(0, 512);
    g = Exfat.geometry(bs, part.length());
    Exfat.checkBootChecksum(part.read(0, 12L * g.bytesPerSector()), g.bytesPerSector());
    fat = new Exfat.Fat(part, g);
  }

  @Override
  public String filesystem() {
    return "exfat";
  }

  @Override
  boolean ignoresCase() {
    return true;
  }

  @Override
  public FileEntry root() {
    long ref = remember(new Stream(g.rootCluster(), -1, -1, false), true);
    return new FileEntry("/", FileEntry.Kind.DIRECTORY, 0, null, null, -1, -1, null, ref, 1);
  }

  /** Folders by first cluster: one folder keeps one number, so a walk can tell it met it before. */
  private final java.util.Map<Long, Long> folders = new java.util.HashMap<>();

  private synchronized long remember(Stream s, boolean folder) {
    if (folder && folders.containsKey(s.first())) {
      return folders.get(s.first());
    }
    streams.add(s);
    long ref = streams.size() - 1;
    if (folder) {
      folders.put(s.first(), ref);
    }
    return ref;
  }

  private synchronized Stream stream(long ref) throws FilesystemException {
    if (ref < 0 || ref >= streams.size()) {
      throw new FilesystemException("an entry this listing did not make");
    }
    return streams.get((int) ref);
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    Stream s = stream(dir.ref());
    byte[] data = bytes(s, MAX_FOLDER);
    List<FileEntry> out = new ArrayList<>();
    for (int at = 0; at + 32 <= data.length; ) {
      int type = Le.u8(data, at);
      if (type == 0) {
        break; // the end of the folder
      }
      if (type != TYPE_FILE) {
        at += 32; // bitmap, up-case table, label, deleted or unknown entries
        continue;
      }
      int secondary = Le.u8(data, at + 1);
      if (secondary < 2 || at + 32 * (1 + secondary) > data.length) {
        throw new FilesystemException("a file entry set runs past its folder");
      }
      int stream = at + 32;
      if (Le.u8(data, stream) != TYPE_STREAM) {
        throw new FilesystemException("a file entry without its stream extension");
      }
      int nameLength = Le.u8(data, stream + 3);
      StringBuilder name = new StringBuilder(nameLength);
      for (int i = 2; i <= secondary && name.length() < nameLength; i++) {
        int e = at + 32 * i;
        if (Le.u8(data, e) != TYPE_NAME) {
          throw new FilesystemException("a file entry set without its name");
        }
        for (int c = 0; c < 15 && name.length() < nameLength; c++) {
          name.append((char) Le.u16(data, e + 2 + 2 * c));
        }
      }
      if (name.length() != nameLength) {
        throw new FilesystemException("a name shorter than its stream says");
      }
      boolean folder = (Le.u16(data, at + 4) & ATTR_DIRECTORY) != 0;
      long first = Le.u32(data, stream + 20);
      long length = Le.u64(data, stream + 24);
      long valid = Le.u64(data, stream + 8);
      boolean contiguous = (Le.u8(data, stream + 1) & 0x02) != 0;
      if (length < 0 || valid < 0 || valid > length) {
        throw new FilesystemException(name + " has implausible lengths");
      }
      if (length > 0 && !g.inHeap(first)) {
        throw new FilesystemException(name + " starts at cluster " + first + ", outside the heap");
      }
      long ref = remember(new Stream(first, length, valid, contiguous), folder);
      out.add(
          new FileEntry(
              dir.child(name.toString()),
              folder ? FileEntry.Kind.DIRECTORY : FileEntry.Kind.FILE,
              folder ? 0 : length,
              time(Le.u32(data, at + 12), Le.u8(data, at + 21), Le.u8(data, at + 24)),
              null,
              -1,
              -1,
              null,
              ref,
              1));
      at += 32 * (1 + secondary);
    }
    return out;
  }

  @Override
  void content(FileEntry file, Content out) throws FilesystemException {
    Stream s = stream(file.ref());
    long fileAt = 0;
    for (long[] run : runs(s)) {
      long n = Math.min(run[1] * g.clusterBytes(), s.valid() - fileAt);
      copyRun(part, fileAt, g.clusterAt(run[0]), n, out);
      fileAt += n;
      if (fileAt >= s.valid()) {
        return;
      }
    }
  }

  /** A folder's whole content, up to {@code max} bytes. */
  private byte[] bytes(Stream s, long max) throws FilesystemException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (long[] run : runs(s)) {
      long bytes = run[1] * g.clusterBytes();
      if (out.size() + bytes > max) {
        throw new FilesystemException("a folder larger than exFAT allows");
      }
      out.writeBytes(part.read(g.clusterAt(run[0]), bytes));
    }
    byte[] b = out.toByteArray();
    return s.length() >= 0 && s.length() < b.length
        ? java.util.Arrays.copyOf(b, (int) s.length())
        : b;
  }

  /** {first cluster, clusters} in order: a contiguous run, or the FAT chain merged into runs. */
  private List<long[]> runs(Stream s) throws FilesystemException {
    List<long[]> runs = new ArrayList<>();
    if (s.length() == 0) {
      return runs;
    }
    long clusters = s.length() < 0 ? -1 : (s.length() + g.clusterBytes() - 1) / g.clusterBytes();
    if (s.contiguous()) {
      if (s.first() + clusters > g.clusters() + 2) {
        throw new FilesystemException("a contiguous file runs past the heap");
      }
      runs.add(new long[] {s.first(), clusters});
      return runs;
    }
    for (long c : fat.chain(s.first(), "a cluster chain")) {
      long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last[0] + last[1] == c) {
        last[1]++;
      } else {
        runs.add(new long[] {c, 1});
      }
      if (clusters >= 0 && --clusters == 0) {
        break;
      }
    }
    return runs;
  }

  /** An exFAT timestamp, with its 10 ms part and its offset from UTC when it has one. */
  private static Instant time(long stamp, int tenMs, int utcOffset) {
    if (stamp == 0) {
      return null;
    }
    try {
      LocalDateTime local =
          LocalDateTime.of(
              1980 + (int) (stamp >>> 25),
              (int) (stamp >>> 21) & 15,
              (int) (stamp >>> 16) & 31,
              (int) (stamp >>> 11) & 31,
              (int) (stamp >>> 5) & 63,
              (int) Math.min(59, (stamp & 31) * 2));
      int quarterHours = (utcOffset & 0x80) != 0 ? (byte) (utcOffset << 1) >> 1 : 0;
      return local
          .toInstant(ZoneOffset.ofTotalSeconds(quarterHours * 15 * 60))
          .plusMillis(Math.min(199, tenMs) * 10L);
    } catch (DateTimeException e) {
      return null;
    }
  }
}
