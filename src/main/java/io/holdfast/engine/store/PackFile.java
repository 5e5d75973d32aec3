package io.holdfast.engine.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The pack file format (docs/repository-format.md, "Packs"): an 8-byte header, chunk blobs one
 * after another, then an index of the blobs and a 20-byte trailer that locates and checks it. A
 * pack is written under {@code tmp/} and renamed into {@code packs/} only when its trailer is
 * written, so a pack under its final name is complete.
 */
final class PackFile {

  static final byte[] MAGIC = "HFPK".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRAILER_MAGIC = "HFPX".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER = 8;
  static final int ENTRY = 32 + 8 + 4;
  static final int TRAILER = 20;

  private PackFile() {}

  /** One blob in a pack: the chunk's digest (32 raw bytes) and where its blob lies. */
  record Entry(byte[] digest, long offset, int length) {}

  /** Thrown for a pack whose header, index or trailer does not check out. */
  static final class DamagedPackException extends IOException {
    DamagedPackException(String message) {
      super(message);
    }
  }

  /**
   * @param level the lowest zstd level any blob in the pack was compressed with (0: not known)
   */
  static ByteBuffer header(int level) {
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    h.put(MAGIC).put((byte) VERSION).put((byte) level).put(new byte[2]).flip();
    return h;
  }

  /** The index and trailer for {@code entries}, the index starting at {@code indexOffset}. */
  static ByteBuffer indexAndTrailer(List<Entry> entries, long indexOffset) {
    ByteBuffer b =
        ByteBuffer.allocate(entries.size() * ENTRY + TRAILER).order(ByteOrder.LITTLE_ENDIAN);
    for (Entry e : entries) {
      b.put(e.digest()).putLong(e.offset()).putInt(e.length());
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putLong(indexOffset).putInt(entries.size()).putInt((int) crc.getValue()).put(TRAILER_MAGIC);
    return b.flip();
  }

  /**
   * A pack's index, and the level its header records (see {@link #header}).
   *
   * @param level the lowest zstd level of the pack's blobs, 0 when not known
   */
  record Index(int level, List<Entry> entries) {}

  /** Reads and checks a pack's header and index; a pack that fails any check throws. */
  static Index readIndex(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < HEADER + TRAILER) {
      throw new DamagedPackException("shorter than a pack's header and trailer (" + size + " B)");
    }
    ByteBuffer head = readAt(ch, 0, HEADER);
    if (!Arrays.equals(head.array(), 0, 4, MAGIC, 0, 4)) {
      throw new DamagedPackException("not a pack (bad magic)");
    }
    if (head.get(4) != VERSION) {
      throw new DamagedPackException("unknown pack format version " + head.get(4));
    }
    ByteBuffer t = readAt(ch, size - TRAILER, TRAILER).order(ByteOrder.LITTLE_ENDIAN);
    if (!Arrays.equals(t.array(), 16, 20, TRAILER_MAGIC, 0, 4)) {
      throw new DamagedPackException("no pack trailer: the pack is truncated or damaged");
    }
    long indexOffset = t.getLong(0);
    long count = t.getInt(8) & 0xFFFF_FFFFL;
    if (indexOffset < HEADER || indexOffset + count * ENTRY + TRAILER != size) {
      throw new DamagedPackException("the trailer does not match the pack's size");
    }
    if (count * ENTRY > 64 << 20) {
      throw new DamagedPackException("the index claims " + count + " blobs");
    }
    ByteBuffer index =
        readAt(ch, indexOffset, (int) (count * ENTRY)).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(index.array(), 0, index.capacity());
    if ((int) crc.getValue() != t.getInt(12)) {
      throw new DamagedPackException("index CRC mismatch");
    }
    List<Entry> entries = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      byte[] digest = new byte[32];
      index.get(digest);
      long offset = index.getLong();
      int length = index.getInt();
      if (offset < HEADER || length <= 0 || offset + length > indexOffset) {
        throw new DamagedPackException("index entry " + i + " points outside the pack's blobs");
      }
      entries.add(new Entry(digest, offset, length));
    }
    return new Index(head.get(5) & 0xFF, entries);
  }

  /** Exactly {@code len} bytes from {@code pos}. */
  static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new EOFException("pack ends at " + (pos + b.position()));
      }
    }
    return b.flip();
  }
}
