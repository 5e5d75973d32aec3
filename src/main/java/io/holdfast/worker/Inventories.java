package io.holdfast.worker;

import io.holdfast.engine.disk.DeviceUse;
import io.holdfast.engine.disk.DiskSource;
import io.holdfast.engine.disk.PartitionTables;
import io.holdfast.worker.protocol.Protocol;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What this machine has: host facts and the disks the worker can read. */
final class Inventories {

  private Inventories() {}

  static String hostname() {
    try {
      String env = System.getenv("HOSTNAME");
      return env != null && !env.isBlank() ? env : InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /**
   * @param imageFiles disk image files this worker offers besides block devices
   * @param scanDevices whether to list readable block devices from /sys/block
   */
  static Protocol.Inventory collect(String hostname, List<Path> imageFiles, boolean scanDevices) {
    List<Protocol.DiskInfo> disks = new ArrayList<>();
    for (Path f : imageFiles) {
      describe(f.getFileName().toString(), f).ifPresent(disks::add);
    }
    if (scanDevices) {
      try (Stream<Path> devs = Files.list(Path.of("/sys/block"))) {
        devs.map(p -> p.getFileName().toString())
            .filter(n -> !n.startsWith("loop") && !n.startsWith("ram") && !n.startsWith("zram"))
            .sorted()
            .forEach(n -> describe(n, Path.of("/dev", n)).ifPresent(disks::add));
      } catch (IOException | RuntimeException e) {
        // no sysfs (a container, say): only the image files
      }
    }
    long memory = 0;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      memory = os.getTotalMemorySize();
    }
    return new Protocol.Inventory(
        hostname,
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " ("
            + System.getProperty("os.arch")
            + ")",
        Runtime.getRuntime().availableProcessors(),
        memory,
        WorkerMain.VERSION,
        List.copyOf(disks));
  }

  private static java.util.Optional<Protocol.DiskInfo> describe(String name, Path path) {
    if (!Files.isReadable(path)) {
      return java.util.Optional.empty();
    }
    try (DiskSource d = DiskSource.open(path)) {
      if (d.size() == 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          new Protocol.DiskInfo(
              name, path.toString(), d.size(), PartitionTables.read(d), DeviceUse.of(path)));
    } catch (RuntimeException e) {
      return java.util.Optional.empty();
    }
  }
}
