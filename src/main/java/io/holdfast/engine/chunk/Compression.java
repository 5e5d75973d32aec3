package io.holdfast.engine.chunk;

import io.holdfast.engine.EngineException;
import java.util.Locale;

/** How hard to compress chunks, as offered to people; each maps to a zstd level. */
public enum Compression {
  NONE(0),
  FAST(1),
  DEFAULT(3),
  MAX(19);

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

  public static Compression parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new EngineException(
          "Unknown compression '" + s + "'; use one of none, fast, default, max.");
    }
  }
}
