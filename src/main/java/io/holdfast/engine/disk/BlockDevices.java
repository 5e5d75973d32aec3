package io.holdfast.engine.disk;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Facts about Linux block devices, read from sysfs. */
public final class BlockDevices {

  private static final Path SYS_BLOCK = Path.of("/sys/class/block");

  private BlockDevices() {}

  public static boolean isBlockDevice(Path path) {
    try {
      Path real = path.toRealPath();
      return real.startsWith("/dev/")
          && Files.isDirectory(SYS_BLOCK.resolve(real.getFileName().toString()));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether {@code device} is a partition of a disk ({@code /dev/sda2}) rather than a disk. */
  public static boolean isPartition(Path device) {
    try {
      String name = device.toRealPath().getFileName().toString();
      return Files.exists(SYS_BLOCK.resolve(name).resolve("partition"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The device's logical sector size, in which its partition table counts: 512, or 4096 on 4Kn
   * drives and some USB bridges. A partition's own device has no queue of its own: 512.
   */
  public static int logicalSectorSize(Path device) {
    try {
      String name = device.toRealPath().getFileName().toString();
      Path file = SYS_BLOCK.resolve(name).resolve("queue").resolve("logical_block_size");
      return Files.exists(file) ? Integer.parseInt(Files.readString(file).trim()) : 512;
    } catch (IOException | NumberFormatException e) {
      return 512;
    }
  }

  /**
   * Asks the kernel to read {@code device}'s partition table again (util-linux's {@code blockdev
   * --rereadpt}, the BLKRRPART ioctl), as partprobe does after a disk is rewritten: until then its
   * partition devices still describe the table it had before. Returns null when the kernel took it,
   * or what went wrong, in words for the job log.
   */
  public static String rereadPartitionTable(Path device) {
    try {
      Process p =
          new ProcessBuilder("blockdev", "--rereadpt", device.toString())
              .redirectErrorStream(true)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "blockdev --rereadpt " + device + " did not answer within 30 s";
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.exitValue() == 0
          ? null
          : "blockdev --rereadpt " + device + " failed" + (out.isEmpty() ? "" : ": " + out);
    } catch (IOException e) {
      return "blockdev (util-linux) could not be run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while the kernel re-read the partition table";
    }
  }

  /** The device's size in bytes: sysfs counts 512-byte sectors whatever the real sector size. */
  public static long size(Path device) {
    try {
      String name = device.toRealPath().getFileName().toString();
      String sectors = Files.readString(SYS_BLOCK.resolve(name).resolve("size")).trim();
      return Long.parseLong(sectors) * 512L;
    } catch (IOException | NumberFormatException e) {
      throw new EngineException("Cannot read the size of " + device + " from sysfs.", e);
    }
  }
}
