package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;

/**
 * LZNT1, the compression of NTFS compressed files: chunks of 4 KiB of output, each stored as it is
 * or as groups of eight literals and back-references, whose split between length and distance
 * widens the distance as the position in the chunk grows.
 */
final class Lznt1 {

  private static final int CHUNK = 4096;

  private Lznt1() {}

  /**
   * Decompresses {@code length} bytes of {@code in} into {@code out}, which the caller zeroed; a
   * chunk that ends short of 4 KiB leaves zeros for the rest of it, as NTFS reads it.
   */
  static void decompress(byte[] in, int length, byte[] out) throws FilesystemException {
    int ip = 0;
    int chunkStart = 0;
    while (ip + 2 <= length && chunkStart < out.length) {
      int header = Le.u16(in, ip);
      ip += 2;
      if (header == 0) {
        return; // the end of the compressed data
      }
      int size = (header & 0x0FFF) + 1;
      int end = ip + size;
      if (end > length) {
        throw new FilesystemException("a compressed chunk runs past its unit");
      }
      if ((header & 0x8000) == 0) {
        int n = Math.min(size, Math.min(CHUNK, out.length - chunkStart));
        System.arraycopy(in, ip, out, chunkStart, n);
      } else {
        chunk(in, ip, end, out, chunkStart);
      }
      ip = end;
      chunkStart += CHUNK;
    }
  }

  private static void chunk(byte[] in, int ip, int end, byte[] out, int chunkStart)
      throws FilesystemException {
    int limit = Math.min(out.length, chunkStart + CHUNK);
    int op = chunkStart;
    while (ip < end) {
      int flags = in[ip++] & 0xFF;
      for (int bit = 0; bit < 8 && ip < end; bit++) {
        if ((flags & (1 << bit)) == 0) {
          if (op >= limit) {
            throw new FilesystemException("a compressed chunk decodes past 4 KiB");
          }
          out[op++] = in[ip++];
          continue;
        }
        if (ip + 2 > end) {
          throw new FilesystemException("a back-reference cut short");
        }
        int token = Le.u16(in, ip);
        ip += 2;
        int pos = op - chunkStart;
        int lengthBits = 12;
        for (int p = pos - 1; p >= 0x10; p >>= 1) {
          lengthBits--;
        }
        int count = (token & ((1 << lengthBits) - 1)) + 3;
        int distance = (token >>> lengthBits) + 1;
        if (pos == 0 || distance > pos || op + count > limit) {
          throw new FilesystemException("a back-reference outside its chunk");
        }
        for (int k = 0; k < count; k++, op++) {
          out[op] = out[op - distance];
        }
      }
    }
  }
}
