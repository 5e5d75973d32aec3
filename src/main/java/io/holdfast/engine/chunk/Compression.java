package io.holdfast.engine.chunk;

import io.holdfast.engine.EngineException;
import java.util.Locale;

/** How hard to compress chunks, as offered to people; each maps to a zstd level. */
public enum Compression {
  NONE(0),
  /**
   * zstd level 1, used unless another is chosen (Proxmox Backup Server compresses its chunks at the
   * same level). On the bench disk it images 1.3× faster than level 3 for 2.4 % more bytes (13.2 s
   * and 1.47 GB against 17.7 s and 1.44 GB on 2 cores).
   */
  FAST(1),
  /** zstd level 3; images made before engine 0.2 call it {@code default}. */
  BALANCED(3),
  /**
   * zstd level 15, what {@code image recompress} compresses with unless told otherwise: on the
   * bench disk's ext4 partition 9.3 % fewer bytes than level 1 (0.983 against 1.084 GB, below
   * partclone + zstd -3's single stream, 1.010 GB), at about 8 MB/s of chunk data per core. Levels
   * 16 to 19 save 0.6 % more for 1.5 to 3.4 times the time
   * (docs/decisions/2026-12-01-recompression.md).
   */
  STRONG(15),
  MAX(19);

  /** The level used when nobody chose one. */
  public static final Compression STANDARD = FAST;

  private final int zstdLevel;

  Compression(int zstdLevel) {
    this.zstdLevel = zstdLevel;
  }

  public int zstdLevel() {
    return zstdLevel;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** A level by name; null or blank is {@link #STANDARD}. */
  public static Compression parse(String s) {
    if (s == null || s.isBlank()) {
      return STANDARD;
    }
    String name = s.trim().toUpperCase(Locale.ROOT);
    if (name.equals("DEFAULT")) {
      return BALANCED; // its name before engine 0.2
    }
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new EngineException(
          "Unknown compression '" + s + "'; use one of none, fast, balanced, strong, max.");
    }
  }
}
