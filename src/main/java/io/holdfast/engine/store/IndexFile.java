package io.holdfast.engine.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * An index file (docs/repository-format.md, "Index files"): the indexes of many packs in one file,
 * so that opening a repository reads a few files instead of the trailer of every pack. It is a
 * cache of what the packs say about themselves: a pack no index file names is read directly, an
 * index file that does not check out is passed over, and a name whose pack is gone is ignored.
 * Packs are never renamed or rewritten in place, so an entry stays true while its pack exists.
 */
final class IndexFile {

  static final byte[] MAGIC = "HFIX".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final int HEADER = 8;
  private static final Pattern PACK_NAME = Pattern.compile("[0-9a-f]{32}\\.pack");

  private IndexFile() {}

  /** One pack's index, under the pack's file name. */
  record Pack(String name, List<PackFile.Entry> entries) {}

  /** Receives what an index file holds. */
  interface Sink {
    /** A pack the file indexes; return whether to receive its entries. */
    boolean pack(String name, int entries);

    /** An entry of the pack last accepted; {@code digest} is reused for the next entry. */
    void entry(byte[] digest, long offset, int length);
  }

  /** Thrown for an index file that does not check out. */
  static final class DamagedIndexException extends IOException {
    DamagedIndexException(String message) {
      super(message);
    }
  }

  static boolean isPackName(String name) {
    return PACK_NAME.matcher(name).matches();
  }

  /** Writes an index file pack by pack, so memory stays flat however many packs it names. */
  static final class Writer implements AutoCloseable {
    private final CRC32C crc = new CRC32C();
    private final OutputStream out;
    private final ByteBuffer b = ByteBuffer.allocate(PackFile.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
    private int packs;

    Writer(Path file) throws IOException {
      out =
          new BufferedOutputStream(
              Channels.newOutputStream(
                  FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)),
              1 << 16);
      emit(b.clear().put(MAGIC).put((byte) VERSION).put(new byte[3]));
    }

    void add(String name, List<PackFile.Entry> entries) throws IOException {
      byte[] n = name.getBytes(StandardCharsets.US_ASCII);
      emit(b.clear().putShort((short) n.length).put(n));
      emit(b.clear().putInt(entries.size()));
      for (PackFile.Entry e : entries) {
        emit(b.clear().put(e.digest()).putLong(e.offset()).putInt(e.length()));
      }
      packs++;
    }

    /** Writes the pack count and the CRC; the file is complete. */
    void finish() throws IOException {
      emit(b.clear().putInt(packs));
      b.clear().putInt((int) crc.getValue());
      out.write(b.array(), 0, 4);
      out.flush();
    }

    private void emit(ByteBuffer filled) throws IOException {
      crc.update(filled.array(), 0, filled.position());
      out.write(filled.array(), 0, filled.position());
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * Reads {@code file} into {@code sink}. The whole file is checked first (CRC, structure), so a
   * damaged file gives the sink nothing. The file is mapped, not read onto the heap: memory stays
   * flat however many packs it names.
   */
  static void read(Path file, Sink sink) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < HEADER + 8) {
        throw new DamagedIndexException("shorter than an index file's header and trailer");
      }
      if (size > Integer.MAX_VALUE) {
        throw new DamagedIndexException("larger than 2 GiB");
      }
      ByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
      CRC32C crc = new CRC32C();
      crc.update(m.duplicate().limit((int) size - 4));
      if ((int) crc.getValue() != m.getInt((int) size - 4)) {
        throw new DamagedIndexException("CRC mismatch");
      }
      walk(m, null);
      walk(m, sink);
    }
  }

  /** Walks the records; checks their structure, and feeds the sink when there is one. */
  private static void walk(ByteBuffer m, Sink sink) throws IOException {
    if (m.get(0) != MAGIC[0]
        || m.get(1) != MAGIC[1]
        || m.get(2) != MAGIC[2]
        || m.get(3) != MAGIC[3]) {
      throw new DamagedIndexException("not an index file (bad magic)");
    }
    if (m.get(4) != VERSION) {
      throw new DamagedIndexException("unknown index file version " + m.get(4));
    }
    int end = m.capacity() - 8; // the pack count and the CRC
    int pos = HEADER;
    int packs = 0;
    byte[] digest = new byte[32];
    while (pos < end) {
      if (end - pos < 6) {
        throw new DamagedIndexException("a pack record is cut off");
      }
      int nameLen = m.getShort(pos) & 0xFFFF;
      if (nameLen == 0 || nameLen > 64 || end - pos < 6 + nameLen) {
        throw new DamagedIndexException("a pack name of " + nameLen + " bytes");
      }
      byte[] nameBytes = new byte[nameLen];
      m.get(pos + 2, nameBytes);
      String name = new String(nameBytes, StandardCharsets.US_ASCII);
      if (!isPackName(name)) {
        throw new DamagedIndexException("not a pack name: " + name);
      }
      long count = m.getInt(pos + 2 + nameLen) & 0xFFFF_FFFFL;
      pos += 6 + nameLen;
      if (count * PackFile.ENTRY > end - pos) {
        throw new DamagedIndexException("pack " + name + " claims " + count + " entries");
      }
      boolean take = sink != null && sink.pack(name, (int) count);
      for (int i = 0; i < count; i++, pos += PackFile.ENTRY) {
        long offset = m.getLong(pos + 32);
        int length = m.getInt(pos + 40);
        if (offset < PackFile.HEADER || length <= 0) {
          throw new DamagedIndexException("entry " + i + " of pack " + name + " is impossible");
        }
        if (take) {
          m.get(pos, digest);
          sink.entry(digest, offset, length);
        }
      }
      packs++;
    }
    if (m.getInt(end) != packs) {
      throw new DamagedIndexException("it says " + m.getInt(end) + " packs but holds " + packs);
    }
  }
}
