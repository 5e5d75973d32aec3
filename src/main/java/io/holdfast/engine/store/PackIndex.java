package io.holdfast.engine.store;

import java.util.Arrays;

/**
 * Where each stored chunk is: digest to pack number, offset and length, for millions of chunks in a
 * worker's heap. Entries live in pages in the order they were added (44 bytes each: digest, pack
 * and offset, length); an open-addressing table of entry numbers finds them (4 bytes a slot, at
 * most 70 % full). So a chunk costs 50 to 56 bytes whatever the table's fill, where a table of
 * whole entries cost 63 to 126 (a map of strings about 250). Not thread-safe; {@link Repository}
 * guards it.
 */
final class PackIndex {

  /** A blob's place: pack number (as {@link Repository} numbers them), offset and length. */
  record Location(int pack, long offset, int length) {}

  private static final int DIGEST = 32;
  private static final int PAGE_SHIFT = 12; // entries a page
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;

  private byte[][] digests = new byte[1][];
  private long[][] places = new long[1][]; // pack << 32 | offset; offsets stay below 4 GiB
  private int[][] lengths = new int[1][];
  private int[] table = new int[1024]; // entry number + 1; 0 marks a free slot
  private int size;

  int size() {
    return size;
  }

  /** Adds a blob unless the digest is there already (a chunk stored twice); true if added. */
  boolean add(byte[] digest, int pack, long offset, int length) {
    if (length <= 0 || offset < 0 || offset >= 1L << 32) {
      throw new IllegalArgumentException("bad location " + offset + "+" + length);
    }
    if ((size + 1) * 10L > table.length * 7L) {
      grow();
    }
    int slot = slotOf(digest);
    if (table[slot] != 0) {
      return false;
    }
    int entry = size;
    int page = entry >>> PAGE_SHIFT;
    if (page == digests.length) {
      digests = Arrays.copyOf(digests, page * 2);
      places = Arrays.copyOf(places, page * 2);
      lengths = Arrays.copyOf(lengths, page * 2);
    }
    if (digests[page] == null) {
      digests[page] = new byte[DIGEST << PAGE_SHIFT];
      places[page] = new long[1 << PAGE_SHIFT];
      lengths[page] = new int[1 << PAGE_SHIFT];
    }
    int at = entry & PAGE_MASK;
    System.arraycopy(digest, 0, digests[page], at * DIGEST, DIGEST);
    places[page][at] = ((long) pack << 32) | offset;
    lengths[page][at] = length;
    table[slot] = entry + 1;
    size++;
    return true;
  }

  /** The blob's place, or null when no pack holds it. */
  Location find(byte[] digest) {
    int entry = table[slotOf(digest)] - 1;
    if (entry < 0) {
      return null;
    }
    long place = places[entry >>> PAGE_SHIFT][entry & PAGE_MASK];
    return new Location(
        (int) (place >>> 32),
        place & 0xFFFF_FFFFL,
        lengths[entry >>> PAGE_SHIFT][entry & PAGE_MASK]);
  }

  /**
   * Sets the pack number of the blob {@code digest} to {@code pack}; false when no entry has that
   * digest or it has that pack number already.
   */
  boolean setPack(byte[] digest, int pack) {
    int entry = table[slotOf(digest)] - 1;
    if (entry < 0) {
      return false;
    }
    long[] page = places[entry >>> PAGE_SHIFT];
    int at = entry & PAGE_MASK;
    if ((int) (page[at] >>> 32) == pack) {
      return false;
    }
    page[at] = ((long) pack << 32) | (page[at] & 0xFFFF_FFFFL);
    return true;
  }

  /** The slot holding {@code digest}, or the free slot where it belongs. */
  private int slotOf(byte[] digest) {
    int mask = table.length - 1;
    int slot = hash(digest, 0) & mask;
    while (table[slot] != 0 && !holds(table[slot] - 1, digest)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private boolean holds(int entry, byte[] digest) {
    int from = (entry & PAGE_MASK) * DIGEST;
    return Arrays.equals(digests[entry >>> PAGE_SHIFT], from, from + DIGEST, digest, 0, DIGEST);
  }

  /** SHA-256 output is uniform: its first bytes are as good a hash as any. */
  private static int hash(byte[] b, int at) {
    return (b[at] & 0xFF) << 24
        | (b[at + 1] & 0xFF) << 16
        | (b[at + 2] & 0xFF) << 8
        | (b[at + 3] & 0xFF);
  }

  private void grow() {
    table = new int[table.length * 2];
    int mask = table.length - 1;
    for (int entry = 0; entry < size; entry++) {
      byte[] page = digests[entry >>> PAGE_SHIFT];
      int slot = hash(page, (entry & PAGE_MASK) * DIGEST) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = entry + 1;
    }
  }
}
