package io.holdfast.engine.disk;

/**
 * Bytes to read at any offset: a disk being imaged, or a disk as an image holds it. Filesystem
 * readers take one, so that the same code maps a disk's used blocks and lists an image's files.
 */
public interface ByteSource {

  /** Its length in bytes. */
  long size();

  /** Exactly {@code length} bytes from {@code offset}; zeros past the end. */
  byte[] readBytes(long offset, int length);
}
