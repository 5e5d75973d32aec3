package io.holdfast.engine.disk;

/** Little-endian reads from byte arrays, bounds-checked by the JVM. */
public final class Le {

  private Le() {}

  public static int u8(byte[] b, int off) {
    return b[off] & 0xff;
  }

  public static int u16(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
  }

  public static long u32(byte[] b, int off) {
    return ((long) u16(b, off)) | ((long) u16(b, off + 2)) << 16;
  }

  public static long u64(byte[] b, int off) {
    return u32(b, off) | u32(b, off + 4) << 32;
  }
}
