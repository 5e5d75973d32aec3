package io.holdfast.machines;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.Partition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the console names the partitions of a disk its worker reported, as Linux names them. */
class DiskViewTest {

  /** A 1 GiB disk at {@code path} with an ESP and a root partition, the root one mounted. */
  private static DiskView disk(String path) {
    DiskLayout layout =
        new DiskLayout(
            "gpt",
            512,
            null,
            List.of(
                new Partition(1, 1 << 20, 100 << 20, "", "EFI System", null, "esp"),
                new Partition(2, 101 << 20, 900 << 20, "", "Linux filesystem", null, "")),
            List.of());
    String root = new DiskView("d", path, 1L << 30, layout, null).partitionPath(2);
    return new DiskView(
        "d", path, 1L << 30, layout, root == null ? null : List.of(root + " is mounted at /home"));
  }

  @Test
  void a_partition_path_follows_the_kernel_naming() {
    assertThat(disk("/dev/sda").partitionPath(2)).isEqualTo("/dev/sda2");
    assertThat(disk("/dev/vdb").partitionPath(1)).isEqualTo("/dev/vdb1");
    assertThat(disk("/dev/nvme0n1").partitionPath(2)).isEqualTo("/dev/nvme0n1p2");
    assertThat(disk("/dev/mmcblk0").partitionPath(1)).isEqualTo("/dev/mmcblk0p1");
    assertThat(disk("/srv/disks/vm.img").partitionPath(1)).isNull();
  }

  @Test
  void a_partition_in_use_makes_its_disk_in_use_but_not_its_neighbour() {
    DiskView nvme = disk("/dev/nvme0n1");
    assertThat(nvme.usesOf("/dev/nvme0n1")).containsExactly("/dev/nvme0n1p2 is mounted at /home");
    assertThat(nvme.usesOf("/dev/nvme0n1p2")).containsExactly("/dev/nvme0n1p2 is mounted at /home");
    assertThat(nvme.usesOf("/dev/nvme0n1p1")).isEmpty();
    assertThat(nvme.usesOf("/srv/restore.img")).isEmpty();
  }

  @Test
  void a_path_is_found_as_a_partition_only_when_the_layout_has_it() {
    DiskView nvme = disk("/dev/nvme0n1");
    assertThat(nvme.partitionAt("/dev/nvme0n1p2")).map(Partition::number).contains(2);
    assertThat(nvme.partitionAt("/dev/nvme0n1p3")).isEmpty();
    assertThat(nvme.partitionAt("/dev/nvme0n1")).isEmpty();
    assertThat(disk("/srv/disks/vm.img").partitionAt("/srv/disks/vm.img1")).isEmpty();
    assertThat(new DiskView("x", "/dev/sdc", 1, null, null).partitionAt("/dev/sdc1")).isEmpty();
  }
}
