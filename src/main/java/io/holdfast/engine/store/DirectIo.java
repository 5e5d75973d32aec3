package io.holdfast.engine.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Whether the engine may bypass the page cache (O_DIRECT) for bulk reads and writes: pack writes,
 * pack reads by verify and restore, and restore targets. On by default; {@code
 * holdfast.engine.direct-io=false} (or {@code HOLDFAST_ENGINE_DIRECT_IO=false}) turns it off, for a
 * filesystem that accepts O_DIRECT but serves it badly. A filesystem that refuses it is detected
 * and served through the page cache either way.
 */
public final class DirectIo {

  private DirectIo() {}

  /**
   * The open option for direct I/O, or null where it is switched off or this Java runtime lacks it
   * (a jlink runtime without the {@code jdk.unsupported} module).
   */
  public static OpenOption option() {
    if (!allowed()) {
      return null;
    }
    try {
      return com.sun.nio.file.ExtendedOpenOption.DIRECT;
    } catch (LinkageError e) {
      return null;
    }
  }

  /**
   * What offsets and lengths of direct I/O on {@code file} must be multiples of: 4 KiB, or the
   * filesystem's block size where that is larger.
   */
  public static long alignment(Path file) throws IOException {
    return Math.max(4096, Files.getFileStore(file).getBlockSize());
  }

  /** A direct buffer of {@code capacity} bytes whose address is a multiple of {@code alignment}. */
  public static ByteBuffer alignedBuffer(int capacity, long alignment) {
    return ByteBuffer.allocateDirect((int) (capacity + alignment)).alignedSlice((int) alignment);
  }

  private static boolean allowed() {
    String v =
        System.getProperty("holdfast.engine.direct-io", System.getenv("HOLDFAST_ENGINE_DIRECT_IO"));
    return v == null || v.isBlank() || !v.trim().equalsIgnoreCase("false");
  }
}
