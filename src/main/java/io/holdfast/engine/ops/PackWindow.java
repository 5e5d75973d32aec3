package io.holdfast.engine.ops;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Neighbouring blobs of one pack that verify or restore read in one piece.
 *
 * <p>Why: a cold disk serves a few large reads two to three times faster than many blob-sized ones.
 * fio on this project's machines: 0.45 GB/s in 128 KiB reads sixteen deep, 1.2 GB/s in 8 MiB reads
 * four deep.
 *
 * @param <T> what the caller does with each blob once read (a digest to check, a place to restore)
 */
final class PackWindow<T> {

  /**
   * What one read takes at most; a larger blob is read alone. Below half a G1 region (1 MiB for a
   * worker's heap), so that a window is an ordinary object: 1 MiB windows were as fast but each one
   * took a humongous region, and a resident worker's heap grew to its limit (284 MiB).
   */
  static final int BYTES = 480 << 10;

  /** Unwanted bytes a window may read in all, between its wanted blobs, rather than skip them. */
  static final int GAP = 256 << 10;

  /**
   * Window reads at once. Verifying the bench repository (1.35 GB of packs) with caches dropped, in
   * a fresh JVM with the worker's heap: 5.95 s and 210 MiB resident reading each blob alone,
   * sixteen at once; 4.5–4.9 s and 160–195 MiB reading these windows four at once, with half the
   * kernel time.
   */
  static final int READS = 4;

  /** A blob of the window and what it is for. */
  record Blob<T>(T item, long offset, int length) {}

  private final List<Blob<T>> blobs = new ArrayList<>();
  private Path pack;
  private long from = Long.MAX_VALUE;
  private long to = Long.MIN_VALUE;
  private long wanted;

  /**
   * Whether a blob of {@code pack} at {@code offset} joins this window (of at most {@code
   * maxBlobs}) without making the read longer than {@link #BYTES} or its unwanted bytes more than
   * {@link #GAP}. Blobs may come in any order; an empty window takes any blob.
   */
  boolean accepts(Path pack, long offset, int length, int maxBlobs) {
    if (blobs.isEmpty()) {
      return true;
    }
    if (!this.pack.equals(pack) || blobs.size() >= maxBlobs) {
      return false;
    }
    long span = Math.max(to, offset + length) - Math.min(from, offset);
    return span <= BYTES && span - wanted - length <= GAP;
  }

  /** Adds a blob that {@link #accepts} this window. */
  void add(T item, Path pack, long offset, int length) {
    this.pack = pack;
    blobs.add(new Blob<>(item, offset, length));
    from = Math.min(from, offset);
    to = Math.max(to, offset + length);
    wanted += length;
  }

  boolean isEmpty() {
    return blobs.isEmpty();
  }

  Path pack() {
    return pack;
  }

  List<Blob<T>> blobs() {
    return blobs;
  }

  /** Where the window's read starts in the pack. */
  long from() {
    return from;
  }

  /** How many bytes the window's read takes. */
  int span() {
    return (int) (to - from);
  }

  /** The bytes of {@code blob} out of what the window's read returned. */
  byte[] slice(byte[] read, Blob<T> blob) {
    int at = (int) (blob.offset() - from);
    return Arrays.copyOfRange(read, at, at + blob.length());
  }
}
