package io.holdfast.engine.cli;

import io.holdfast.engine.EngineException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} options; a name may repeat. */
final class Args {

  private static final Set<String> FLAGS =
      Set.of("encrypt", "full", "resume", "dry-run", "json", "progress", "keep", "recursive");
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  static Args parse(String[] args) {
    Args a = new Args();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() < 3) {
        throw new EngineException("Unexpected argument '" + arg + "'; options start with --.");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (FLAGS.contains(name)) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new EngineException("Option --" + name + " needs a value.");
      }
      a.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return a;
  }

  String get(String name, String fallback) {
    List<String> v = values.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  String required(String name) {
    String v = get(name, null);
    if (v == null || v.isBlank()) {
      throw new EngineException("Missing --" + name + ".");
    }
    return v;
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return "true".equals(get(name, "false"));
  }

  int integer(String name) {
    String v = get(name, "0");
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new EngineException("--" + name + " must be a whole number, not '" + v + "'.");
    }
  }

  /** A byte size such as 262144, 256K or 4M. */
  long size(String name, long fallback) {
    String v = get(name, null);
    if (v == null) {
      return fallback;
    }
    String s = v.trim().toUpperCase(Locale.ROOT);
    long mult = 1;
    if (s.endsWith("K")) {
      mult = 1024;
    } else if (s.endsWith("M")) {
      mult = 1024 * 1024;
    } else if (s.endsWith("G")) {
      mult = 1024L * 1024 * 1024;
    } else if (s.endsWith("T")) {
      mult = 1024L * 1024 * 1024 * 1024;
    }
    try {
      return Long.parseLong(mult == 1 ? s : s.substring(0, s.length() - 1)) * mult;
    } catch (NumberFormatException e) {
      throw new EngineException(
          "--" + name + " must be a size such as 256K, 1M or 50G, not '" + v + "'.");
    }
  }

  /** A duration such as 24h, 30m, 10s, 0 or PT1H. */
  Duration duration(String name, Duration fallback) {
    String v = get(name, null);
    if (v == null) {
      return fallback;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.startsWith("p")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.equals("0")) {
        return Duration.ZERO;
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 'd' -> Duration.ofDays(n);
        case 'h' -> Duration.ofHours(n);
        case 'm' -> Duration.ofMinutes(n);
        case 's' -> Duration.ofSeconds(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new EngineException(
          "--" + name + " must be a duration such as 24h or 30m, not '" + v + "'.");
    }
  }
}
