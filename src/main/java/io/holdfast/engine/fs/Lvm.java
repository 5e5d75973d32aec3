package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An LVM2 physical volume: its label and metadata area are kept, extents no logical volume uses are
 * left out, and each logical volume that lies wholly on this volume in plain (linear) segments is
 * mapped by the filesystem it holds, through its segments. Other logical volumes' extents here
 * (striped over several volumes, mirrored, thin pools, snapshots' stores, or ones whose filesystem
 * is unknown) are kept whole.
 *
 * <p>The current metadata is found through the label's first metadata area and must pass LVM's
 * checksum, so a torn or stale copy never decides what is left out.
 */
final class Lvm {

  private static final int SECTOR = 512;
  private static final String MDA_MAGIC = " LVM2 x[5A%r0N*>";
  private static final int MDA_HEADER = 512;
  private static final long MAX_METADATA = 4L << 20;

  private Lvm() {}

  /** The sector (0 to 3) holding an LVM2 label, or -1. */
  static int labelSector(byte[] head) {
    for (int s = 0; s < 4 && (s + 1) * SECTOR <= head.length; s++) {
      int at = s * SECTOR;
      if ("LABELONE".equals(new String(head, at, 8, StandardCharsets.US_ASCII))
          && "LVM2 001".equals(new String(head, at + 24, 8, StandardCharsets.US_ASCII))) {
        return s;
      }
    }
    return -1;
  }

  /**
   * A logical volume's pieces on this physical volume, {offset, length} in its own order, and why
   * they cannot be read as the volume itself: null when they can (a visible volume made only of
   * plain, linear segments on this physical volume).
   */
  record Volume(String name, List<long[]> pieces, String unreadable) {}

  /**
   * What this physical volume's current metadata says: where its extents lie and the logical
   * volumes of its volume group that use them.
   */
  record Layout(long peStart, long extentBytes, long peCount, List<Volume> volumes) {}

  static Layout read(Region pv, int labelSector) throws FilesystemException {
    byte[] label = pv.read((long) labelSector * SECTOR, SECTOR);
    int headerAt = (int) Le.u32(label, 20);
    if (headerAt < 32 || headerAt + 40 + 32 > SECTOR) {
      throw new FilesystemException("LVM label points outside its sector");
    }
    String pvId = new String(label, headerAt, 32, StandardCharsets.US_ASCII);
    // the data areas, then the metadata areas, each list ending in a zero entry
    int p = headerAt + 40;
    while (p + 16 <= SECTOR && Le.u64(label, p) != 0) {
      p += 16;
    }
    p += 16;
    if (p + 16 > SECTOR || Le.u64(label, p) == 0) {
      throw new FilesystemException("LVM physical volume has no metadata area");
    }
    long mdaAt = Le.u64(label, p);
    long mdaSize = Le.u64(label, p + 8);
    Map<String, Object> vg = vg(metadata(pv, mdaAt, mdaSize));

    long extentBytes = number(vg, "extent_size") * SECTOR;
    Map<String, Object> ours = null;
    String ourName = null;
    for (Map.Entry<String, Object> e : section(vg, "physical_volumes").entrySet()) {
      if (e.getValue() instanceof Map<?, ?> m
          && pvId.equals(String.valueOf(m.get("id")).replace("-", ""))) {
        ours = cast(m);
        ourName = e.getKey();
      }
    }
    if (ours == null) {
      throw new FilesystemException("LVM metadata does not list this physical volume");
    }
    long peStart = number(ours, "pe_start") * SECTOR;
    long peCount = number(ours, "pe_count");
    if (extentBytes <= 0 || peStart <= 0 || peStart + peCount * extentBytes > pv.length()) {
      throw new FilesystemException("LVM extents do not fit the physical volume");
    }
    List<Volume> volumes = new ArrayList<>();
    Map<String, Object> lvs = vg.get("logical_volumes") instanceof Map<?, ?> m ? cast(m) : Map.of();
    for (Map.Entry<String, Object> lv : lvs.entrySet()) {
      if (lv.getValue() instanceof Map<?, ?> m) {
        volumes.add(volume(lv.getKey(), cast(m), ourName, peStart, extentBytes, peCount));
      }
    }
    return new Layout(peStart, extentBytes, peCount, volumes);
  }

  static Mapped map(Region pv, int labelSector) throws FilesystemException {
    Layout layout = read(pv, labelSector);
    Extents.Builder used = new Extents.Builder();
    used.add(0, layout.peStart()); // label and metadata area
    // a second metadata area, if any
    used.add(layout.peStart() + layout.peCount() * layout.extentBytes(), pv.length());
    List<String> lines = new ArrayList<>();
    for (Volume v : layout.volumes()) {
      lines.add(map(pv, v, used));
    }
    return new Mapped(used.build(), "logical volumes: " + String.join("; ", lines));
  }

  /** Maps one logical volume's extents on this physical volume; says what it found. */
  private static String map(Region pv, Volume v, Extents.Builder used) throws FilesystemException {
    String why = v.unreadable();
    if (why == null) {
      Region region = pv.pieces(v.pieces());
      UsedBlocks.Probe probe = new UsedBlocks.Probe();
      try {
        if (probe.run(region, false)) {
          toVolume(probe.used, v.pieces(), used);
          return v.name() + " " + probe.fs + " " + probe.used.bytes() + " bytes";
        }
        why = "no supported filesystem";
      } catch (FilesystemException | RuntimeException e) {
        why = probe.fs + " unreadable: " + e.getMessage();
      }
    }
    v.pieces().forEach(piece -> used.add(piece[0], piece[0] + piece[1]));
    return v.name() + " kept whole (" + why + ")";
  }

  /** One logical volume's pieces on this physical volume, from its segments. */
  private static Volume volume(
      String name,
      Map<String, Object> lv,
      String ourName,
      long peStart,
      long extentBytes,
      long peCount)
      throws FilesystemException {
    List<Map<String, Object>> segments = new ArrayList<>();
    for (Object v : lv.values()) {
      if (v instanceof Map<?, ?> m && m.containsKey("start_extent")) {
        segments.add(cast(m));
        for (Map.Entry<?, ?> e : m.entrySet()) {
          // extents named by anything but a plain stripe list (an old mirror, a pvmove) have a
          // length this reader does not know: it must not guess which extents are free
          if (!"stripes".equals(e.getKey())
              && e.getValue() instanceof List<?> refs
              && refs.contains(ourName)) {
            throw new FilesystemException(
                "logical volume " + name + " uses this volume through " + e.getKey());
          }
        }
      }
    }
    segments.sort((a, b) -> Long.compare(numberOr(a, "start_extent"), numberOr(b, "start_extent")));
    List<long[]> pieces = new ArrayList<>(); // {offset on this volume, length}
    boolean linear = !segments.isEmpty();
    boolean elsewhere = false;
    long next = 0;
    for (Map<String, Object> seg : segments) {
      long count = number(seg, "extent_count");
      boolean plain =
          "striped".equals(seg.get("type"))
              && numberOr(seg, "stripe_count") == 1
              && numberOr(seg, "start_extent") == next;
      next += count;
      List<?> stripes = seg.get("stripes") instanceof List<?> l ? l : List.of();
      for (int i = 0; i + 1 < stripes.size(); i += 2) {
        if (!ourName.equals(stripes.get(i)) || !(stripes.get(i + 1) instanceof Long pe)) {
          elsewhere |= !ourName.equals(stripes.get(i));
          plain = false;
          continue;
        }
        long length = (plain ? count : count / Math.max(1, stripes.size() / 2)) * extentBytes;
        if (pe < 0 || pe * extentBytes + length > peCount * extentBytes) {
          throw new FilesystemException("logical volume " + name + " lies outside its extents");
        }
        pieces.add(new long[] {peStart + pe * extentBytes, length});
      }
      linear &= plain && stripes.size() == 2;
    }
    // hidden volumes are parts of others (RAID images, thin pool data, caches): a RAID 5 image
    // starts with the volume's first stripe, so a filesystem found there would be misread
    boolean visible = lv.get("status") instanceof List<?> st && st.contains("VISIBLE");
    String unreadable;
    if (!visible) {
      unreadable = "hidden";
    } else if (linear) {
      unreadable = null;
    } else if (elsewhere && !pieces.isEmpty()) {
      unreadable = "not a plain volume on this disk: it lies partly on another physical volume";
    } else if (elsewhere) {
      unreadable = "not a plain volume on this disk: it lies on another physical volume";
    } else {
      unreadable = "not a plain volume on this disk: " + kind(segments);
    }
    return new Volume(name, List.copyOf(pieces), unreadable);
  }

  /** What kind of segments a volume that is not plain has: {@code thin, striped}. */
  private static String kind(List<Map<String, Object>> segments) {
    java.util.Set<String> kinds = new java.util.TreeSet<>();
    for (Map<String, Object> seg : segments) {
      Object type = seg.get("type");
      kinds.add(
          "striped".equals(type) && numberOr(seg, "stripe_count") > 1
              ? "striped"
              : String.valueOf(type));
    }
    return kinds.isEmpty() ? "no segments" : String.join(", ", kinds);
  }

  /** Adds extents of a logical volume's own offsets at their places on the physical volume. */
  private static void toVolume(Extents lvUsed, List<long[]> pieces, Extents.Builder used) {
    long lvAt = 0;
    for (long[] piece : pieces) {
      long lvEnd = lvAt + piece[1];
      for (int i = lvUsed.firstEndingAfter(lvAt);
          i < lvUsed.count() && lvUsed.start(i) < lvEnd;
          i++) {
        long s = Math.max(lvUsed.start(i), lvAt);
        long e = Math.min(lvUsed.end(i), lvEnd);
        used.add(piece[0] + (s - lvAt), piece[0] + (e - lvAt));
      }
      lvAt = lvEnd;
    }
  }

  /** The current metadata text, after its checksum is checked. */
  private static String metadata(Region pv, long mdaAt, long mdaSize) throws FilesystemException {
    if (mdaSize <= MDA_HEADER || mdaAt + mdaSize > pv.length()) {
      throw new FilesystemException("LVM metadata area outside the physical volume");
    }
    byte[] h = pv.read(mdaAt, MDA_HEADER);
    if (!MDA_MAGIC.equals(new String(h, 4, 16, StandardCharsets.US_ASCII))
        || Le.u64(h, 24) != mdaAt) {
      throw new FilesystemException("LVM metadata area header not found");
    }
    long offset = Le.u64(h, 40);
    long size = Le.u64(h, 48);
    long checksum = Le.u32(h, 56);
    if (offset < MDA_HEADER || offset >= mdaSize || size == 0 || size > MAX_METADATA) {
      throw new FilesystemException("LVM metadata area holds no current metadata");
    }
    byte[] text = new byte[(int) size];
    long first = Math.min(size, mdaSize - offset);
    System.arraycopy(pv.read(mdaAt + offset, first), 0, text, 0, (int) first);
    if (first < size) { // the area is a ring: the text goes on after its header
      System.arraycopy(
          pv.read(mdaAt + MDA_HEADER, size - first), 0, text, (int) first, (int) (size - first));
    }
    if (crc(text) != checksum) {
      throw new FilesystemException("LVM metadata fails its checksum");
    }
    return new String(text, StandardCharsets.UTF_8);
  }

  /** LVM's CRC: CRC-32 (reflected 0xEDB88320) from 0xf597a6cf, without the final inversion. */
  static long crc(byte[] data) {
    int crc = 0xf597a6cf;
    for (byte b : data) {
      crc ^= b & 0xFF;
      for (int k = 0; k < 8; k++) {
        crc = (crc >>> 1) ^ (0xEDB88320 & -(crc & 1));
      }
    }
    return crc & 0xFFFFFFFFL;
  }

  private static Map<String, Object> vg(String text) throws FilesystemException {
    Map<String, Object> top = new Parser(text).section(true);
    for (Object v : top.values()) {
      if (v instanceof Map<?, ?> m && m.containsKey("physical_volumes")) {
        return cast(m);
      }
    }
    throw new FilesystemException("LVM metadata holds no volume group");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static Map<String, Object> section(Map<String, Object> m, String key)
      throws FilesystemException {
    if (m.get(key) instanceof Map<?, ?> s) {
      return cast(s);
    }
    throw new FilesystemException("LVM metadata lacks " + key);
  }

  private static long number(Map<String, Object> m, String key) throws FilesystemException {
    if (m.get(key) instanceof Long n) {
      return n;
    }
    throw new FilesystemException("LVM metadata lacks " + key);
  }

  private static long numberOr(Map<String, Object> m, String key) {
    return m.get(key) instanceof Long n ? n : -1;
  }

  /**
   * LVM's text format: {@code name { ... }} sections, {@code key = value} with numbers, "strings"
   * and [lists], and # comments.
   */
  private static final class Parser {
    private final String s;
    private int p;
    private int depth;

    Parser(String s) {
      this.s = s;
    }

    Map<String, Object> section(boolean top) throws FilesystemException {
      if (++depth > 16) {
        throw new FilesystemException("LVM metadata nests too deep");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      while (true) {
        skip();
        if (p >= s.length() || s.charAt(p) == '\0') {
          if (top) {
            depth--;
            return out;
          }
          throw new FilesystemException("LVM metadata ends inside a section");
        }
        if (s.charAt(p) == '}') {
          if (top) {
            throw new FilesystemException("LVM metadata has an unmatched }");
          }
          p++;
          depth--;
          return out;
        }
        String key = word();
        skip();
        char c = p < s.length() ? s.charAt(p) : 0;
        if (c == '{') {
          p++;
          out.put(key, section(false));
        } else if (c == '=') {
          p++;
          out.put(key, value());
        } else {
          throw new FilesystemException("LVM metadata: unexpected '" + c + "' after " + key);
        }
      }
    }

    private Object value() throws FilesystemException {
      skip();
      if (p >= s.length()) {
        throw new FilesystemException("LVM metadata ends before a value");
      }
      char c = s.charAt(p);
      if (c == '"') {
        return string();
      }
      if (c == '[') {
        p++;
        List<Object> list = new ArrayList<>();
        while (true) {
          skip();
          if (p < s.length() && s.charAt(p) == ']') {
            p++;
            return list;
          }
          list.add(value());
          skip();
          if (p < s.length() && s.charAt(p) == ',') {
            p++;
          }
          if (list.size() > 100_000) {
            throw new FilesystemException("LVM metadata list too long");
          }
        }
      }
      String w = word();
      try {
        return Long.parseLong(w);
      } catch (NumberFormatException e) {
        return w; // a float or a bare word: kept as text
      }
    }

    private String string() throws FilesystemException {
      StringBuilder b = new StringBuilder();
      p++;
      while (p < s.length() && s.charAt(p) != '"') {
        char c = s.charAt(p++);
        if (c == '\\' && p < s.length()) {
          c = s.charAt(p++);
        }
        b.append(c);
      }
      if (p >= s.length()) {
        throw new FilesystemException("LVM metadata ends inside a string");
      }
      p++;
      return b.toString();
    }

    private String word() throws FilesystemException {
      int start = p;
      while (p < s.length() && isWord(s.charAt(p))) {
        p++;
      }
      if (p == start) {
        throw new FilesystemException(
            "LVM metadata: unexpected '" + (p < s.length() ? s.charAt(p) : ' ') + "'");
      }
      return s.substring(start, p);
    }

    private static boolean isWord(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '+';
    }

    private void skip() {
      while (p < s.length()) {
        char c = s.charAt(p);
        if (c == '#') {
          while (p < s.length() && s.charAt(p) != '\n') {
            p++;
          }
        } else if (Character.isWhitespace(c)) {
          p++;
        } else {
          return;
        }
      }
    }
  }
}
