package io.holdfast.engine.disk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A FAT16 volume for the demo disk: directories and files with generated contents, laid out one
 * after another from the first cluster, and deleted files whose data stays in clusters the FAT
 * marks free (as on any used filesystem). Enough FAT for {@code fsck.vfat} and mtools to accept it,
 * and for the engine to show what imaging only the used blocks does; not a general FAT writer.
 */
final class DemoVolume {

  /** What a file holds; generated block by block, so the same at every write. */
  enum Kind {
    /** Lines of text: compresses well. */
    TEXT,
    /** Random bytes, as in compressed or encrypted files: does not compress. */
    RANDOM,
    /** Random code-like bytes with zero-filled stretches, as in executables. */
    BINARY
  }

  /** A directory or file; a file is deleted when its entry and its FAT chain are cleared. */
  static final class Node {
    final String name;
    final Kind kind;
    final long size;
    final boolean deleted;
    final List<Node> children = new ArrayList<>();
    long cluster;

    private Node(String name, Kind kind, long size, boolean deleted) {
      this.name = name;
      this.kind = kind;
      this.size = size;
      this.deleted = deleted;
    }

    boolean directory() {
      return kind == null;
    }

    /** Clusters it takes: a directory one (the demo's directories are small), a file its size. */
    long clusters() {
      return directory() ? 1 : (size + CLUSTER - 1) / CLUSTER;
    }

    Node dir(String child) {
      Node d = new Node(child, null, 0, false);
      children.add(d);
      return d;
    }

    Node file(String child, Kind k, long bytes) {
      children.add(new Node(child, k, bytes, false));
      return this;
    }

    Node deletedFile(String child, Kind k, long bytes) {
      children.add(new Node(child, k, bytes, true));
      return this;
    }
  }

  private static final int SECTOR = 512;
  private static final int SECTORS_PER_CLUSTER = 4;
  private static final int CLUSTER = SECTOR * SECTORS_PER_CLUSTER;
  private static final int RESERVED = 4;
  private static final int ROOT_ENTRIES = 512;
  private static final int ROOT_SECTORS = ROOT_ENTRIES * 32 / SECTOR;

  /** 2024-01-01 in FAT's date format. */
  private static final int DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

  private final long sectors;
  private final long hiddenSectors;
  private final String label;
  private final int serial;
  private final long fatSectors;
  private final long clusters;
  final Node root = new Node("", null, 0, false);
  private boolean laidOut;

  DemoVolume(long sectors, long hiddenSectors, String label, int serial) {
    this.sectors = sectors;
    this.hiddenSectors = hiddenSectors;
    this.label = label;
    this.serial = serial;
    long fat = 1;
    while (true) {
      long c = (sectors - RESERVED - 2 * fat - ROOT_SECTORS) / SECTORS_PER_CLUSTER;
      long need = ((c + 2) * 2 + SECTOR - 1) / SECTOR;
      if (need <= fat) {
        break;
      }
      fat = need;
    }
    this.fatSectors = fat;
    this.clusters = (sectors - RESERVED - 2 * fat - ROOT_SECTORS) / SECTORS_PER_CLUSTER;
    if (clusters < 4085 || clusters >= 65525) {
      throw new IllegalArgumentException(sectors + " sectors make no FAT16 volume");
    }
  }

  /** Where the first data cluster starts, in bytes from the start of the volume. */
  private long dataStart() {
    return (RESERVED + 2 * fatSectors + ROOT_SECTORS) * SECTOR;
  }

  /** Bytes from the start of the volume to the first byte of file {@code path} ("A/B.TXT"). */
  long offsetOf(String path) {
    layOut();
    Node n = root;
    for (String part : path.split("/")) {
      n = n.children.stream().filter(c -> c.name.equals(part)).findFirst().orElseThrow();
    }
    return dataStart() + (n.cluster - 2) * CLUSTER;
  }

  /** Gives every directory and file its clusters, one after another in tree order. */
  private void layOut() {
    if (laidOut) {
      return;
    }
    long[] next = {2};
    assign(root, next);
    if (next[0] - 2 > clusters) {
      throw new IllegalStateException("demo files do not fit " + label);
    }
    laidOut = true;
  }

  private void assign(Node dir, long[] next) {
    for (Node n : dir.children) {
      long need = n.clusters();
      n.cluster = need == 0 ? 0 : next[0];
      next[0] += need;
    }
    for (Node n : dir.children) {
      if (n.directory()) {
        if ((n.children.size() + 2) * 32 > CLUSTER) {
          throw new IllegalStateException("demo directory " + n.name + " too large");
        }
        assign(n, next);
      }
    }
  }

  /** Writes the volume to {@code f} at byte {@code offset}. */
  void write(RandomAccessFile f, long offset) throws IOException {
    layOut();
    f.seek(offset);
    f.write(bootSector());
    byte[] fat = new byte[(int) (fatSectors * SECTOR)];
    ByteBuffer fb = ByteBuffer.wrap(fat).order(ByteOrder.LITTLE_ENDIAN);
    fb.putShort(0, (short) 0xFFF8).putShort(2, (short) 0xFFFF);
    chain(root, fb);
    for (int i = 0; i < 2; i++) {
      f.seek(offset + (RESERVED + i * fatSectors) * SECTOR);
      f.write(fat);
    }
    byte[] rootDir = new byte[ROOT_SECTORS * SECTOR];
    ByteBuffer rb = ByteBuffer.wrap(rootDir).order(ByteOrder.LITTLE_ENDIAN);
    entry(rb, name11(label), 0x08, 0, 0);
    entries(root, rb);
    f.seek(offset + (RESERVED + 2 * fatSectors) * SECTOR);
    f.write(rootDir);
    contents(root, f, offset);
  }

  private void chain(Node dir, ByteBuffer fat) {
    for (Node n : dir.children) {
      long need = n.clusters();
      if (!n.deleted) {
        for (long c = n.cluster; c < n.cluster + need; c++) {
          fat.putShort((int) c * 2, (short) (c == n.cluster + need - 1 ? 0xFFFF : c + 1));
        }
      }
      if (n.directory()) {
        chain(n, fat);
      }
    }
  }

  private void entries(Node dir, ByteBuffer b) {
    for (Node n : dir.children) {
      int start = b.position();
      entry(b, name11(n.name), n.directory() ? 0x10 : 0x20, n.cluster, n.size);
      if (n.deleted) {
        b.put(start, (byte) 0xE5);
      }
    }
  }

  private void contents(Node dir, RandomAccessFile f, long offset) throws IOException {
    for (Node n : dir.children) {
      long at = offset + dataStart() + (n.cluster - 2) * CLUSTER;
      if (n.directory()) {
        byte[] d = new byte[CLUSTER];
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        entry(b, ".          ".getBytes(StandardCharsets.US_ASCII), 0x10, n.cluster, 0);
        entry(
            b,
            "..         ".getBytes(StandardCharsets.US_ASCII),
            0x10,
            dir == root ? 0 : dir.cluster,
            0);
        entries(n, b);
        f.seek(at);
        f.write(d);
        contents(n, f, offset);
      } else if (n.size > 0) {
        byte[] block = new byte[64 * 1024];
        for (long pos = 0; pos < n.size; pos += block.length) {
          int len = (int) Math.min(block.length, n.size - pos);
          generate(n, pos / block.length, block);
          f.seek(at + pos);
          f.write(block, 0, len);
        }
      }
    }
  }

  /** Block {@code index} (64 KiB) of a file's contents. */
  private static void generate(Node n, long index, byte[] block) {
    Random r = new Random(n.name.hashCode() * 1_000_003L + index);
    switch (n.kind) {
      case RANDOM -> r.nextBytes(block);
      case BINARY -> {
        r.nextBytes(block);
        for (int i = 0; i < block.length; i += 4096) {
          if (r.nextInt(3) == 0) {
            Arrays.fill(block, i, Math.min(block.length, i + 4096), (byte) 0);
          } else {
            // opcodes and addresses repeat in real code: keep a small alphabet
            for (int j = i; j < Math.min(block.length, i + 4096); j++) {
              block[j] = (byte) (block[j] & 0x1F);
            }
          }
        }
      }
      case TEXT -> {
        StringBuilder s = new StringBuilder(block.length + 100);
        long line = index * 1000;
        String[] words = {
          "backup",
          "restore",
          "disk",
          "image",
          "verify",
          "chunk",
          "volume",
          "report",
          "quarter",
          "invoice",
          "meeting",
          "server",
          "policy",
          "retention",
          "archive",
          "schedule"
        };
        while (s.length() < block.length) {
          s.append(String.format(Locale.ROOT, "%s %7d:", n.name, line++));
          int count = 4 + r.nextInt(9);
          for (int w = 0; w < count; w++) {
            s.append(' ').append(words[r.nextInt(words.length)]);
          }
          s.append('\n');
        }
        byte[] text = s.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, block, 0, block.length);
      }
    }
  }

  private byte[] bootSector() {
    byte[] bs = new byte[SECTOR];
    ByteBuffer b = ByteBuffer.wrap(bs).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0xEB, 0x3C, (byte) 0x90});
    b.put("HOLDFAST".getBytes(StandardCharsets.US_ASCII));
    b.putShort((short) SECTOR).put((byte) SECTORS_PER_CLUSTER).putShort((short) RESERVED);
    b.put((byte) 2).putShort((short) ROOT_ENTRIES);
    b.putShort((short) (sectors < 65536 ? sectors : 0)).put((byte) 0xF8);
    b.putShort((short) fatSectors).putShort((short) 63).putShort((short) 255);
    b.putInt((int) hiddenSectors).putInt((int) (sectors < 65536 ? 0 : sectors));
    b.put((byte) 0x80).put((byte) 0).put((byte) 0x29).putInt(serial);
    b.put(name11(label));
    b.put("FAT16   ".getBytes(StandardCharsets.US_ASCII));
    bs[62] = (byte) 0xF4; // hlt: the demo disk boots nothing
    bs[510] = 0x55;
    bs[511] = (byte) 0xAA;
    return bs;
  }

  private static void entry(ByteBuffer b, byte[] name11, int attr, long cluster, long size) {
    b.put(name11).put((byte) attr).put((byte) 0).put((byte) 0);
    b.putShort((short) 0).putShort((short) DATE).putShort((short) DATE);
    b.putShort((short) 0); // high cluster: always 0 on FAT16
    b.putShort((short) 0).putShort((short) DATE);
    b.putShort((short) cluster).putInt((int) size);
  }

  /** "NOTES.TXT" as FAT's 11 space-padded upper-case characters. */
  private static byte[] name11(String name) {
    String base = name;
    String ext = "";
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      base = name.substring(0, dot);
      ext = name.substring(dot + 1);
    }
    if (base.length() > 8 || ext.length() > 3) {
      throw new IllegalArgumentException("not an 8.3 name: " + name);
    }
    String padded = String.format(Locale.ROOT, "%-8s%-3s", base, ext).toUpperCase(Locale.ROOT);
    return padded.getBytes(StandardCharsets.US_ASCII);
  }
}
