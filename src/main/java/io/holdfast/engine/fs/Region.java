package io.holdfast.engine.fs;

import io.holdfast.engine.disk.ByteSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A window onto part of a disk (a partition, or a logical volume made of pieces of one), with
 * bounds-checked reads in window-relative offsets. A filesystem pointing outside its window is
 * corrupt, and this says so.
 */
final class Region {

  private final ByteSource disk;
  private final long[] starts; // window offset where each piece begins
  private final long[] diskAt; // disk offset of each piece
  private final long length;

  Region(ByteSource disk, long offset, long length) {
    this(disk, new long[] {0}, new long[] {offset}, length);
  }

  private Region(ByteSource disk, long[] starts, long[] diskAt, long length) {
    this.disk = disk;
    this.starts = starts;
    this.diskAt = diskAt;
    this.length = length;
  }

  long length() {
    return length;
  }

  /**
   * A window made of pieces of this one, in order: each {@code {offset, length}} in this window's
   * offsets.
   */
  Region pieces(List<long[]> pieces) throws FilesystemException {
    List<long[]> out = new ArrayList<>(); // {start in the new window, disk offset, length}
    long pos = 0;
    for (long[] piece : pieces) {
      if (piece[0] < 0 || piece[1] <= 0 || piece[0] + piece[1] > length) {
        throw new FilesystemException("a piece of " + piece[1] + " bytes lies outside its window");
      }
      long at = piece[0];
      long left = piece[1];
      while (left > 0) {
        int i = segment(at);
        long n = Math.min(left, pieceEnd(i) - at);
        out.add(new long[] {pos, diskAt[i] + (at - starts[i]), n});
        pos += n;
        at += n;
        left -= n;
      }
    }
    long[] s = new long[out.size()];
    long[] d = new long[out.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = out.get(i)[0];
      d[i] = out.get(i)[1];
    }
    return new Region(disk, s, d, pos);
  }

  byte[] read(long at, long count) throws FilesystemException {
    if (at < 0 || count < 0 || count > 64L << 20 || at + count > length) {
      throw new FilesystemException(
          "metadata read of " + count + " bytes at " + at + " lies outside the partition");
    }
    if (starts.length == 1) {
      return disk.readBytes(diskAt[0] + at, (int) count);
    }
    byte[] out = new byte[(int) count];
    int filled = 0;
    while (filled < count) {
      long pos = at + filled;
      int i = segment(pos);
      int n = (int) Math.min(count - filled, pieceEnd(i) - pos);
      byte[] b = disk.readBytes(diskAt[i] + (pos - starts[i]), n);
      System.arraycopy(b, 0, out, filled, n);
      filled += n;
    }
    return out;
  }

  /** The window offset where piece i ends. */
  private long pieceEnd(int i) {
    return i + 1 < starts.length ? starts[i + 1] : length;
  }

  /** The piece holding window offset {@code pos}. */
  private int segment(long pos) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }
}
