package io.holdfast.engine.store;

import java.util.Arrays;

/**
 * Where each stored chunk is: digest to pack number, offset and length. An open-addressing table
 * over flat arrays, about 70 bytes a chunk at its fullest (a map of strings would take about 250),
 * so a worker can hold the index of a repository with millions of chunks. Not thread-safe; {@link
 * Repository} guards it.
 */
final class PackIndex {

  /** A blob's place: pack number (as {@link Repository} numbers them), offset and length. */
  record Location(int pack, long offset, int length) {}

  private static final int DIGEST = 32;

  private byte[] digests = new byte[DIGEST * 1024];
  private long[] places = new long[1024]; // pack << 32 | offset; offsets stay below 4 GiB
  private int[] lengths = new int[1024]; // 0 marks a free slot: no blob is shorter than a header
  private int size;

  int size() {
    return size;
  }

  /** Adds a blob unless the digest is there already (a chunk stored twice); true if added. */
  boolean add(byte[] digest, int pack, long offset, int length) {
    if (length <= 0 || offset < 0 || offset >= 1L << 32) {
      throw new IllegalArgumentException("bad location " + offset + "+" + length);
    }
    if ((size + 1) * 10L > lengths.length * 7L) {
      grow();
    }
    int slot = slotOf(digest);
    if (lengths[slot] != 0) {
      return false;
    }
    System.arraycopy(digest, 0, digests, slot * DIGEST, DIGEST);
    places[slot] = ((long) pack << 32) | offset;
    lengths[slot] = length;
    size++;
    return true;
  }

  /** The blob's place, or null when no pack holds it. */
  Location find(byte[] digest) {
    int slot = slotOf(digest);
    if (lengths[slot] == 0) {
      return null;
    }
    return new Location((int) (places[slot] >>> 32), places[slot] & 0xFFFF_FFFFL, lengths[slot]);
  }

  /**
   * Sets the pack number of the blob {@code digest} to {@code pack}; false when no entry has that
   * digest or it has that pack number already.
   */
  boolean setPack(byte[] digest, int pack) {
    int slot = slotOf(digest);
    if (lengths[slot] == 0 || (int) (places[slot] >>> 32) == pack) {
      return false;
    }
    places[slot] = ((long) pack << 32) | (places[slot] & 0xFFFF_FFFFL);
    return true;
  }

  /** The slot holding {@code digest}, or the free slot where it belongs. */
  private int slotOf(byte[] digest) {
    int mask = lengths.length - 1;
    // SHA-256 output is uniform: its first bytes are as good a hash as any
    int slot =
        ((digest[0] & 0xFF) << 24
                | (digest[1] & 0xFF) << 16
                | (digest[2] & 0xFF) << 8
                | (digest[3] & 0xFF))
            & mask;
    while (lengths[slot] != 0
        && !Arrays.equals(digests, slot * DIGEST, slot * DIGEST + DIGEST, digest, 0, DIGEST)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void grow() {
    byte[] oldDigests = digests;
    long[] oldPlaces = places;
    int[] oldLengths = lengths;
    int capacity = oldLengths.length * 2;
    digests = new byte[capacity * DIGEST];
    places = new long[capacity];
    lengths = new int[capacity];
    byte[] d = new byte[DIGEST];
    for (int i = 0; i < oldLengths.length; i++) {
      if (oldLengths[i] != 0) {
        System.arraycopy(oldDigests, i * DIGEST, d, 0, DIGEST);
        int slot = slotOf(d);
        System.arraycopy(d, 0, digests, slot * DIGEST, DIGEST);
        places[slot] = oldPlaces[i];
        lengths[slot] = oldLengths[i];
      }
    }
  }
}
