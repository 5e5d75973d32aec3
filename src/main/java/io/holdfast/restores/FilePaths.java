package io.holdfast.restores;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The paths of a file restore as people type them: {@code /home/alice/report.odt}, or as Windows
 * shows them, {@code C:\Users\alice\report.docx}, which names {@code /Users/alice/report.docx} in
 * the partition's NTFS filesystem.
 */
final class FilePaths {

  static final int MAX = 100;

  private FilePaths() {}

  /** The paths in filesystem form, in order, each once; null when none was given. */
  static List<String> normalize(List<String> typed) {
    if (typed == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String t : typed) {
      String p = t == null ? "" : t.trim();
      if (p.isEmpty()) {
        continue;
      }
      p = p.replace('\\', '/');
      if (p.length() >= 2 && Character.isLetter(p.charAt(0)) && p.charAt(1) == ':') {
        p = p.substring(2); // the drive letter: the partition is chosen on its own
      }
      StringBuilder b = new StringBuilder();
      for (String part : p.split("/")) {
        if (part.isEmpty() || part.equals(".")) {
          continue;
        }
        if (part.equals("..")) {
          throw new IllegalArgumentException("A path may not go up with '..': " + t.trim());
        }
        b.append('/').append(part);
      }
      String path = b.isEmpty() ? "/" : b.toString();
      if (!out.contains(path)) {
        out.add(path);
      }
    }
    if (out.isEmpty()) {
      return null;
    }
    if (out.size() > MAX) {
      throw new IllegalArgumentException(
          "A request names at most " + MAX + " files or folders; name the folders that hold them.");
    }
    if (out.contains("/") && out.size() > 1) {
      throw new IllegalArgumentException(
          "The whole filesystem (/) already holds the other paths; name it alone.");
    }
    Set<String> names = new HashSet<>();
    for (String p : out) {
      String name = p.substring(p.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      if (!names.add(name)) {
        throw new IllegalArgumentException(
            "Two of the paths end in the same name ("
                + p.substring(p.lastIndexOf('/') + 1)
                + "): they would land on each other in the target folder. Request them apart.");
      }
    }
    return List.copyOf(out);
  }
}
