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
}
