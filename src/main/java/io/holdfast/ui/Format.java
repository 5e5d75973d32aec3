package io.holdfast.ui;

import io.holdfast.engine.Sizes;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How numbers and times read in the console. */
public final class Format {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Format() {}

  public static String bytes(long b) {
    return Sizes.human(b);
  }

  public static String time(Instant t) {
    return t == null ? "—" : TIME.format(t);
  }

  public static String rate(long bytesPerSecond) {
    return bytesPerSecond <= 0 ? "" : bytes(bytesPerSecond) + "/s";
  }

  public static String eta(long seconds) {
    if (seconds < 0) {
      return "";
    }
    if (seconds < 60) {
      return seconds + " s left";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min " + seconds % 60 + " s left";
    }
    return seconds / 3600 + " h " + seconds % 3600 / 60 + " min left";
  }
}
