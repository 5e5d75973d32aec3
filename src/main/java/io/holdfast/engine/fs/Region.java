package io.holdfast.engine.fs;

import io.holdfast.engine.disk.DiskSource;

/**
 * A window onto part of a disk (a partition), with bounds-checked reads in partition-relative
 * offsets. A filesystem pointing outside its partition is corrupt, and this says so.
 */
final class Region {

  private final DiskSource disk;
  private final long offset;
  private final long length;

  Region(DiskSource disk, long offset, long length) {
    this.disk = disk;
    this.offset = offset;
    this.length = length;
  }

  long length() {
    return length;
  }

  byte[] read(long at, long count) throws FilesystemException {
    if (at < 0 || count < 0 || count > 64L << 20 || at + count > length) {
      throw new FilesystemException(
          "metadata read of " + count + " bytes at " + at + " lies outside the partition");
    }
    return disk.readBytes(offset + at, (int) count);
  }
}
