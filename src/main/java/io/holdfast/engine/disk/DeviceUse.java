package io.holdfast.engine.disk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Who is using a restore target, as the Linux kernel tells: a filesystem mounted from the device or
 * one of its partitions, swap on it, a device-mapper, LVM or RAID device built on it, or, for a
 * file, a loop device attached to it. Writing under any of them corrupts what they hold, so a
 * restore refuses such a target, as partclone and Clonezilla do.
 */
public final class DeviceUse {

  private static final Path SYS_BLOCK = Path.of("/sys/class/block");
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  private static final Path SWAPS = Path.of("/proc/swaps");

  /** How {@link #of} ends the sentence of a filesystem mounted read-only. */
  public static final String READ_ONLY = " (read-only)";

  private DeviceUse() {}

  /**
   * What uses {@code target}, one sentence each ("/dev/sdb2 is mounted at /home", ending in {@link
   * #READ_ONLY} for a read-only mount); empty when nothing does or the target does not exist yet.
   * Facts the kernel does not offer (no /proc, no sysfs) count as no use.
   */
  public static List<String> of(Path target) {
    Path real;
    try {
      real = target.toRealPath();
    } catch (IOException e) {
      return List.of();
    }
    List<String> uses = new ArrayList<>();
    List<String> mounts = lines(MOUNTINFO);
    List<String> swaps = lines(SWAPS);
    if (BlockDevices.isBlockDevice(real)) {
      for (String dev : withPartitions(real.getFileName().toString())) {
        usesOf(dev, mounts, swaps, uses);
      }
    } else if (Files.isRegularFile(real)) {
      for (String loop : loopsBackedBy(real)) {
        uses.add(
            real + " is attached to /dev/" + loop + " (losetup -d /dev/" + loop + " detaches it)");
        // and what uses the loop device: a filesystem of the file mounted through it, say
        for (String dev : withPartitions(loop)) {
          usesOf(dev, mounts, swaps, uses);
        }
      }
    }
    return uses;
  }

  /** The device and, for a whole disk, its partitions (sda, sda1, sda2, …). */
  private static List<String> withPartitions(String name) {
    List<String> devs = new ArrayList<>(List.of(name));
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(SYS_BLOCK.resolve(name))) {
      for (Path e : entries) {
        if (Files.exists(e.resolve("partition"))) {
          devs.add(e.getFileName().toString());
        }
      }
    } catch (IOException e) {
      // no sysfs entries to list: the device alone
    }
    return devs;
  }

  private static void usesOf(
      String dev, List<String> mounts, List<String> swaps, List<String> uses) {
    String node = "/dev/" + dev;
    String number = read(SYS_BLOCK.resolve(dev).resolve("dev"));
    for (String line : mounts) {
      // 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
      String[] f = line.split(" ");
      int dash = List.of(f).indexOf("-");
      if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
        continue;
      }
      boolean byNumber = number != null && f[2].equals(number);
      boolean bySource = samePath(unescape(f[dash + 2]), node);
      if (byNumber || bySource) {
        boolean readOnly = List.of(f[5].split(",")).contains("ro");
        uses.add(node + " is mounted at " + unescape(f[4]) + (readOnly ? READ_ONLY : ""));
      }
    }
    for (String line : swaps) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 0 && samePath(unescape(f[0]), node)) {
        uses.add(node + " is in use as swap");
      }
    }
    try (Stream<Path> holders = Files.list(SYS_BLOCK.resolve(dev).resolve("holders"))) {
      for (Path h : holders.toList()) {
        String holder = h.getFileName().toString();
        String dmName = read(SYS_BLOCK.resolve(holder).resolve("dm").resolve("name"));
        uses.add(
            node
                + " is held by /dev/"
                + holder
                + (dmName == null ? "" : " (" + dmName + ")")
                + ": a device-mapper, LVM or RAID device is built on it");
      }
    } catch (IOException e) {
      // no holders directory: nothing is built on it
    }
  }

  private static List<String> loopsBackedBy(Path file) {
    List<String> loops = new ArrayList<>();
    try (DirectoryStream<Path> devs = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
      for (Path d : devs) {
        String backing = read(d.resolve("loop").resolve("backing_file"));
        if (backing != null && samePath(backing, file.toString())) {
          loops.add(d.getFileName().toString());
        }
      }
    } catch (IOException e) {
      // no loop devices to ask
    }
    return loops;
  }

  private static boolean samePath(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    if (!a.startsWith("/")) {
      return false;
    }
    try {
      return Path.of(a).toRealPath().equals(Path.of(b).toRealPath());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** mountinfo and swaps write a space as \040, a tab as \011, a backslash as \134. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return null;
    }
  }
}
