package io.holdfast.engine.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gives copied files their extended attributes back: POSIX ACLs, file capabilities (a ping that may
 * open raw sockets), SELinux labels, Samba's DOS attributes and NT ACLs, user attributes.
 *
 * <p>Java can set only the {@code user.} namespace, so all of them go to {@code setfattr --restore}
 * (the attr package) in one run, as a dump in getfattr's format. They are set last, once every file
 * is written and owned: changing a file's owner or content clears its capabilities. Without
 * setfattr, user attributes are still set through Java and the others are reported as not set. Only
 * root may set the {@code trusted.} and {@code security.} ones; for anyone else they are reported,
 * not tried.
 */
final class AttributeWriter {

  /** What one name is to get. */
  private record Pending(Path path, Map<String, byte[]> attributes) {}

  private final boolean asRoot;
  private final String setfattr;
  private final List<Pending> pending = Collections.synchronizedList(new ArrayList<>());

  /**
   * @param setfattr the program to run, for tests that need it missing
   */
  AttributeWriter(boolean asRoot, String setfattr) {
    this.asRoot = asRoot;
    this.setfattr = setfattr;
  }

  void add(Path path, Map<String, byte[]> attributes) {
    if (!attributes.isEmpty()) {
      pending.add(new Pending(path.toAbsolutePath(), attributes));
    }
  }

  /**
   * Sets everything added; what could not be set goes to {@code skipped}.
   *
   * @return the attributes set
   */
  long apply(List<String> skipped) {
    List<Pending> todo = new ArrayList<>();
    long privileged = 0;
    for (Pending p : pending) {
      Map<String, byte[]> keep = new java.util.LinkedHashMap<>();
      for (var a : p.attributes().entrySet()) {
        if (!asRoot && (a.getKey().startsWith("trusted.") || a.getKey().startsWith("security."))) {
          privileged++;
        } else {
          keep.put(a.getKey(), a.getValue());
        }
      }
      if (!keep.isEmpty()) {
        todo.add(new Pending(p.path(), keep));
      }
    }
    if (privileged > 0) {
      skipped.add(
          privileged
              + " extended attributes of the trusted and security namespaces (file capabilities,"
              + " SELinux labels) were not set: only root may set them");
    }
    if (todo.isEmpty()) {
      return 0;
    }
    long total = todo.stream().mapToLong(p -> p.attributes().size()).sum();
    try {
      List<String> errors = viaSetfattr(todo);
      errors.stream().limit(20).forEach(e -> skipped.add("an extended attribute: " + e));
      if (errors.size() > 20) {
        skipped.add((errors.size() - 20) + " more extended attributes could not be set");
      }
      return total - errors.size();
    } catch (IOException noSetfattr) {
      return viaJava(todo, skipped, noSetfattr.getMessage());
    }
  }

  /** One setfattr run over a dump of everything; its complaints, one per attribute not set. */
  private List<String> viaSetfattr(List<Pending> todo) throws IOException {
    Path dump = Files.createTempFile("holdfast-attributes", ".txt");
    try {
      StringBuilder b = new StringBuilder();
      HexFormat hex = HexFormat.of();
      for (Pending p : todo) {
        b.append("# file: ").append(escape(p.path().toString())).append('\n');
        for (var a : p.attributes().entrySet()) {
          b.append(escape(a.getKey())).append("=0x").append(hex.formatHex(a.getValue()));
          b.append('\n');
        }
        b.append('\n');
      }
      Files.writeString(dump, b, StandardCharsets.UTF_8);
      Process run;
      try {
        run =
            new ProcessBuilder(setfattr, "-h", "--restore=" + dump)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
      } catch (IOException notThere) {
        throw new IOException(setfattr + " cannot be run (" + notThere.getMessage() + ")");
      }
      String output;
      try (InputStream in = run.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      try {
        if (!run.waitFor(1, TimeUnit.HOURS)) {
          run.destroyForcibly();
        }
      } catch (InterruptedException e) {
        run.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      List<String> errors = new ArrayList<>();
      for (String line : output.split("\n")) {
        if (!line.isBlank()) {
          errors.add(line.startsWith("setfattr: ") ? line.substring(10) : line);
        }
      }
      return errors;
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  /** Without setfattr: the user namespace through Java, the others reported. */
  private static long viaJava(List<Pending> todo, List<String> skipped, String why) {
    long set = 0;
    long others = 0;
    for (Pending p : todo) {
      UserDefinedFileAttributeView view =
          Files.getFileAttributeView(
              p.path(), UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
      for (var a : p.attributes().entrySet()) {
        if (!a.getKey().startsWith("user.") || view == null) {
          others++;
          continue;
        }
        try {
          view.write(a.getKey().substring(5), ByteBuffer.wrap(a.getValue()));
          set++;
        } catch (IOException | UnsupportedOperationException x) {
          skipped.add(
              p.path() + ": extended attribute " + a.getKey() + " (" + x.getMessage() + ")");
        }
      }
    }
    if (others > 0) {
      skipped.add(
          others
              + " extended attributes (ACLs, file capabilities, SELinux labels) were not set: "
              + why
              + "; install the attr package and copy again");
    }
    return set;
  }

  /** getfattr's quoting: backslash and bytes outside printable ASCII as three octal digits. */
  static String escape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xFF;
      if (c <= ' ' || c >= 0x7F || c == '\\' || c == '=') {
        out.write('\\');
        out.write('0' + (c >> 6));
        out.write('0' + ((c >> 3) & 7));
        out.write('0' + (c & 7));
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
