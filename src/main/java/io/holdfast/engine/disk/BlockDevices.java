package io.holdfast.engine.disk;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
