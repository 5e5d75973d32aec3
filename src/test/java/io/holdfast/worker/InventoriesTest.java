package io.holdfast.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Tools;
import io.holdfast.worker.protocol.Protocol;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory a worker sends: its disks, their layout, and what uses them. */
class InventoriesTest {

  @TempDir Path tmp;

  @Test
  void a_disk_file_behind_a_loop_device_is_reported_in_use_until_it_is_detached() throws Exception {
    Path file = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Tools.Result attach = Tools.run("losetup", "-f", "--show", file.toString());
    Assumptions.assumeTrue(attach.exit() == 0, "needs a loop device: " + attach.output());
    String dev = new String(attach.stdout()).trim();
    Protocol.DiskInfo attached;
    try {
      attached = Inventories.collect("h", List.of(file), false).disks().getFirst();
    } finally {
      Tools.run("losetup", "-d", dev);
    }
    assertThat(attached.name()).isEqualTo("gpt.img");
    assertThat(attached.layout().scheme()).isEqualTo("gpt");
    assertThat(attached.layout().partitions()).hasSize(3);
    assertThat(attached.inUse()).singleElement().asString().contains("is attached to " + dev);

    Protocol.DiskInfo free = Inventories.collect("h", List.of(file), false).disks().getFirst();
    assertThat(free.inUse()).isEmpty();
  }

  @Test
  void a_backup_of_a_disk_mounted_read_write_is_warned_of_and_a_read_only_one_is_not()
      throws Exception {
    Path file = Fixtures.copyOf(Fixtures.plainDisk("ext4"), tmp);
    Path mnt = java.nio.file.Files.createDirectory(tmp.resolve("mnt"));
    Tools.Result attach = Tools.run("losetup", "-f", "--show", file.toString());
    Assumptions.assumeTrue(attach.exit() == 0, "needs a loop device: " + attach.output());
    String dev = new String(attach.stdout()).trim();
    try {
      Assumptions.assumeTrue(
          Tools.run("mount", "-o", "ro", dev, mnt.toString()).exit() == 0, "needs mount");
      assertThat(Agent.changingWhileRead("data", Path.of(dev))).isEmpty();
      Tools.check("mount", "-o", "remount,rw", mnt.toString());
      assertThat(Agent.changingWhileRead("data", Path.of(dev)))
          .singleElement()
          .asString()
          .startsWith("data: " + dev + " is mounted at " + mnt + " read-write")
          .contains("back up from a snapshot or a live system");
      // the disk file itself, mounted through the loop device, is warned of the same way
      assertThat(Agent.changingWhileRead("data", file))
          .singleElement()
          .asString()
          .startsWith("data: " + dev + " is mounted at " + mnt + " read-write");
    } finally {
      Tools.run("umount", mnt.toString());
      Tools.run("losetup", "-d", dev);
    }
    assertThat(Agent.changingWhileRead("data", file)).isEmpty();
  }
}
