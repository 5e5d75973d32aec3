package io.holdfast.engine.manifest;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntPredicate;

/**
 * A manifest's chunk digests or fingerprints, held as bytes: an immutable list of lowercase hex
 * strings of one width, or nulls (zero or unallocated chunks), that keeps the bytes of the entries
 * that are not null plus two bits for every entry. (A list built while creating an image also keeps
 * room for the chunks of allocated data that turned out all zeros.)
 *
 * <p>A worker holds an image's lists while it creates, restores or verifies it, and an incremental
 * holds its parent's too. As {@code String}s they took 184 bytes per chunk (measured over a million
 * chunks: 175.5 MiB), enough to exhaust a 256 MiB heap at a few hundred GB of used data. As bytes
 * they take 32 (digest) plus 16 (fingerprint), and every entry about a third of a byte more. The
 * strings are made again on each {@link #get}, a few hundred nanoseconds against the microseconds a
 * chunk's bytes take.
 */
public final class HexList extends AbstractList<String> implements RandomAccess {

  /** Bytes of a SHA-256 chunk digest. */
  public static final int DIGEST = 32;

  /** Bytes of an XXH3-128 fingerprint. */
  public static final int FINGERPRINT = 16;

  private static final int PAGE_SHIFT = 12; // entries a page: 128 KiB of digests
  private static final int PAGE_MASK = (1 << PAGE_SHIFT) - 1;
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private final int width;
  private final int size;
  private final long[] present; // bit i: entry i is not null
  private final long[] room; // bit i: entry i has bytes in pages; all of present, maybe more
  private final int[] before; // entries with room before each word
  private final byte[][] pages; // the entries with room, in order, 2^PAGE_SHIFT a page

  private HexList(int width, int size, long[] present, long[] room, int[] before, byte[][] pages) {
    this.width = width;
    this.size = size;
    this.present = present;
    this.room = room;
    this.before = before;
    this.pages = pages;
  }

  /** How many entries have room before each word of {@code room}. */
  private static int[] ranks(long[] room) {
    int[] before = new int[room.length];
    int n = 0;
    for (int w = 0; w < room.length; w++) {
      before[w] = n;
      n += Long.bitCount(room[w]);
    }
    return before;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String get(int index) {
    Objects.checkIndex(index, size);
    long bit = 1L << index;
    if ((present[index >>> 6] & bit) == 0) {
      return null;
    }
    int rank = before[index >>> 6] + Long.bitCount(room[index >>> 6] & (bit - 1));
    byte[] page = pages[rank >>> PAGE_SHIFT];
    int at = (rank & PAGE_MASK) * width;
    char[] hex = new char[width * 2];
    for (int i = 0; i < width; i++) {
      int b = page[at + i];
      hex[2 * i] = DIGITS[(b >> 4) & 0xF];
      hex[2 * i + 1] = DIGITS[b & 0xF];
    }
    return new String(hex);
  }

  /** Entries that are not null. */
  public int countPresent() {
    int n = 0;
    for (long w : present) {
      n += Long.bitCount(w);
    }
    return n;
  }

  /** The list of {@code entries} (hex strings of {@code width} bytes, or nulls), as bytes. */
  public static HexList of(int width, java.util.List<String> entries) {
    if (entries instanceof HexList h && h.width == width) {
      return h;
    }
    Appender a = new Appender(width);
    for (String e : entries) {
      if (e == null) {
        a.addNull();
      } else {
        a.add(e, 0, e.length());
      }
    }
    return a.build();
  }

  /** Builds a list entry by entry, in order: what reading a manifest does. */
  public static final class Appender {
    private final int width;
    private long[] present = new long[16];
    private byte[][] pages = new byte[16][];
    private int size;
    private int count;

    public Appender(int width) {
      this.width = width;
    }

    public void addNull() {
      grow();
      size++;
    }

    /**
     * Adds the hex digits {@code text[from, from + length)}.
     *
     * @throws IllegalArgumentException unless they are {@code 2 * width} lowercase hex digits
     */
    public void add(CharSequence text, int from, int length) {
      grow();
      int page = count >>> PAGE_SHIFT;
      if (pages[page] == null) {
        pages[page] = new byte[width << PAGE_SHIFT];
      }
      parse(text, from, length, width, pages[page], (count & PAGE_MASK) * width);
      present[size >>> 6] |= 1L << size;
      size++;
      count++;
    }

    private void grow() {
      if (size == Integer.MAX_VALUE) {
        throw new IllegalArgumentException("more than " + Integer.MAX_VALUE + " entries");
      }
      if ((size >>> 6) >= present.length) {
        present = Arrays.copyOf(present, present.length * 2);
      }
      if ((count >>> PAGE_SHIFT) >= pages.length) {
        pages = Arrays.copyOf(pages, pages.length * 2);
      }
    }

    public HexList build() {
      long[] bits = Arrays.copyOf(present, (size + 63) >>> 6);
      int pageCount = (count + PAGE_MASK) >>> PAGE_SHIFT;
      return new HexList(width, size, bits, bits, ranks(bits), Arrays.copyOf(pages, pageCount));
    }
  }

  /**
   * Builds a list whose entries are set in any order, from any number of threads, each at most
   * once: what creating an image does. Only the entries that {@code mayHold} (the chunks that
   * overlap allocated data) have room, so memory follows the data imaged, not the size of the disk.
   */
  public static final class Slots {
    private final int width;
    private final int size;
    private final long[] room; // bit i: entry i may be set
    private final int[] before;
    private final byte[][] pages;
    private final AtomicLongArray set;

    public Slots(int width, int size, IntPredicate mayHold) {
      this(width, size, roomFor(size, mayHold), null);
    }

    private Slots(int width, int size, long[] room, int[] before) {
      this.width = width;
      this.size = size;
      this.room = room;
      this.before = before != null ? before : ranks(room);
      this.set = new AtomicLongArray(room.length);
      int n =
          room.length == 0
              ? 0
              : this.before[room.length - 1] + Long.bitCount(room[room.length - 1]);
      this.pages = new byte[(n + PAGE_MASK) >>> PAGE_SHIFT][];
      for (int p = 0; p < pages.length; p++) {
        pages[p] = new byte[Math.min(1 << PAGE_SHIFT, n - (p << PAGE_SHIFT)) * width];
      }
    }

    private static long[] roomFor(int size, IntPredicate mayHold) {
      long[] room = new long[(size + 63) >>> 6];
      for (int i = 0; i < size; i++) {
        if (mayHold.test(i)) {
          room[i >>> 6] |= 1L << i;
        }
      }
      return room;
    }

    /**
     * Slots of another width with the same room, which they share: a list parallel to this one
     * (fingerprints beside digests), without asking {@code mayHold} again.
     */
    public Slots parallel(int width) {
      return new Slots(width, size, room, before);
    }

    /**
     * Sets entry {@code index} to {@code hex}.
     *
     * @throws IllegalArgumentException for an entry that {@code mayHold} refused, or text that is
     *     not {@code 2 * width} lowercase hex digits
     */
    public void set(int index, String hex) {
      Objects.checkIndex(index, size);
      long word = room[index >>> 6];
      long bit = 1L << index;
      if ((word & bit) == 0) {
        throw new IllegalArgumentException("entry " + index + " has no room");
      }
      int rank = before[index >>> 6] + Long.bitCount(word & (bit - 1));
      parse(hex, 0, hex.length(), width, pages[rank >>> PAGE_SHIFT], (rank & PAGE_MASK) * width);
      set.getAndUpdate(index >>> 6, w -> w | bit);
    }

    /**
     * The list, once every thread that set entries is done. It keeps the room of entries left null
     * (chunks of allocated data that were all zeros): copying the others together would hold the
     * list twice for a moment, at the end of a backup that may hold its parent's as well.
     */
    public HexList build() {
      long[] present = new long[room.length];
      for (int w = 0; w < present.length; w++) {
        present[w] = set.get(w);
      }
      return new HexList(width, size, present, room, before, pages);
    }
  }

  private static void parse(
      CharSequence text, int from, int length, int width, byte[] into, int at) {
    if (length != width * 2) {
      throw new IllegalArgumentException(
          "'" + text.subSequence(from, from + length) + "' is not " + width * 2 + " hex digits");
    }
    for (int i = 0; i < width; i++) {
      int hi = digit(text.charAt(from + 2 * i));
      int lo = digit(text.charAt(from + 2 * i + 1));
      if ((hi | lo) < 0) {
        throw new IllegalArgumentException(
            "'"
                + text.subSequence(from, from + length)
                + "' is not "
                + width * 2
                + " lowercase hex digits");
      }
      into[at + i] = (byte) (hi << 4 | lo);
    }
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
