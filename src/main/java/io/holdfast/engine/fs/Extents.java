package io.holdfast.engine.fs;

import java.util.Arrays;

/**
 * A set of byte ranges {@code [start, end)}, sorted and merged. Built once, then asked many times
 * how a chunk overlaps it.
 */
public final class Extents {

  /** Never changed once built, so one empty set serves everyone. */
  private static final Extents EMPTY = new Extents(new long[0], new long[0]);

  private final long[] starts;
  private final long[] ends;

  private Extents(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  public static Extents of(long start, long end) {
    return end > start ? new Extents(new long[] {start}, new long[] {end}) : empty();
  }

  public static Extents empty() {
    return EMPTY;
  }

  public int count() {
    return starts.length;
  }

  public long start(int i) {
    return starts[i];
  }

  public long end(int i) {
    return ends[i];
  }

  /** Total bytes covered. */
  public long bytes() {
    long sum = 0;
    for (int i = 0; i < starts.length; i++) {
      sum += ends[i] - starts[i];
    }
    return sum;
  }

  /** Index of the first range that ends after {@code pos}, or {@code count()}. */
  public int firstEndingAfter(long pos) {
    int lo = 0;
    int hi = starts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ends[mid] <= pos) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** True when some range overlaps {@code [from, to)}. */
  public boolean overlaps(long from, long to) {
    int i = firstEndingAfter(from);
    return i < starts.length && starts[i] < to;
  }

  /** True when one range holds all of {@code [from, to)} (built ranges never touch). */
  public boolean covers(long from, long to) {
    int i = firstEndingAfter(from);
    return i < starts.length && starts[i] <= from && ends[i] >= to;
  }

  /** This set's ranges clipped to {@code [from, to)}. */
  public Extents within(long from, long to) {
    if (to <= from) {
      return empty();
    }
    int first = firstEndingAfter(from);
    int last = first;
    while (last < starts.length && starts[last] < to) {
      last++;
    }
    int n = last - first;
    if (n == 0) {
      return empty();
    }
    long[] s = Arrays.copyOfRange(starts, first, last);
    long[] e = Arrays.copyOfRange(ends, first, last);
    s[0] = Math.max(s[0], from);
    e[n - 1] = Math.min(e[n - 1], to);
    return new Extents(s, e);
  }

  /** The ranges of this set that {@code other} does not cover. */
  public Extents minus(Extents other) {
    Builder out = new Builder();
    int j = 0;
    for (int i = 0; i < starts.length; i++) {
      long pos = starts[i];
      long end = ends[i];
      while (j < other.count() && other.end(j) <= pos) {
        j++;
      }
      for (int k = j; k < other.count() && other.start(k) < end; k++) {
        out.add(pos, Math.min(end, Math.max(pos, other.start(k))));
        pos = Math.max(pos, other.end(k));
      }
      out.add(pos, end);
    }
    return out.build();
  }

  /** Collects ranges in any order, then merges them. */
  public static final class Builder {
    private long[] s = new long[64];
    private long[] e = new long[64];
    private int n;

    public Builder add(long start, long end) {
      if (end <= start) {
        return this;
      }
      if (n > 0 && e[n - 1] == start) {
        e[n - 1] = end;
        return this;
      }
      if (n == s.length) {
        s = Arrays.copyOf(s, n * 2);
        e = Arrays.copyOf(e, n * 2);
      }
      s[n] = start;
      e[n] = end;
      n++;
      return this;
    }

    public Extents build() {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Long.compare(s[a], s[b]));
      long[] ms = new long[n];
      long[] me = new long[n];
      int m = 0;
      for (int k = 0; k < n; k++) {
        int i = order[k];
        if (m > 0 && s[i] <= me[m - 1]) {
          me[m - 1] = Math.max(me[m - 1], e[i]);
        } else {
          ms[m] = s[i];
          me[m] = e[i];
          m++;
        }
      }
      return new Extents(Arrays.copyOf(ms, m), Arrays.copyOf(me, m));
    }
  }
}
