package io.holdfast.ui;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How numbers and times read in the console. */
public final class Format {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Format() {}

  public static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
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
