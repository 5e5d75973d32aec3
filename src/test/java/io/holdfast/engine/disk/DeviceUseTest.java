package io.holdfast.engine.disk;

import static io.holdfast.engine.Cancellation.none;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.ops.RestoreImage;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore never writes under a mounted filesystem or an attached loop device: a real loop device
 * over a copy of the ext4 fixture, mounted read-only by the kernel, and the restore that refuses it
 * and leaves it as it was.
 */
class DeviceUseTest {

  @TempDir Path tmp;

  @Test
  void a_mounted_device_and_a_file_behind_a_loop_device_are_refused_and_left_untouched()
      throws Exception {
    Manifest image = Imaging.image(tmp.resolve("repo"), Fixtures.plainDisk("ext4"));
    Path file =
        Fixtures.copyOf(Fixtures.plainDisk("ext4"), Files.createDirectory(tmp.resolve("t")));
    Path mnt = Files.createDirectory(tmp.resolve("mnt dir"));
    Tools.Result attach = Tools.run("losetup", "-f", "--show", file.toString());
    Assumptions.assumeTrue(attach.exit() == 0, "needs a loop device: " + attach.output());
    String dev = new String(attach.stdout()).trim();
    boolean mounted = false;
    try {
      Tools.Result mount = Tools.run("mount", "-o", "ro", "-t", "ext4", dev, mnt.toString());
      Assumptions.assumeTrue(mount.exit() == 0, "needs mount: " + mount.output());
      mounted = true;
      String before = sha256(file);

      assertThat(DeviceUse.of(Path.of(dev)))
          .as("the mount point's space comes back from mountinfo's \\040")
          .contains(dev + " is mounted at " + mnt + " (read-only)");
      assertThat(DeviceUse.of(file)).anyMatch(u -> u.contains("is attached to " + dev));
      assertThatThrownBy(() -> Imaging.restore(tmp.resolve("repo"), image, null, Path.of(dev)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("The target " + dev + " is in use: " + dev + " is mounted at")
          .hasMessageContaining("Nothing was written");
      assertThatThrownBy(() -> Imaging.restore(tmp.resolve("repo"), image, null, file))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("is attached to " + dev)
          .hasMessageContaining("losetup -d " + dev);
      assertThat(sha256(file)).as("the target is as it was").isEqualTo(before);

      Tools.check("umount", mnt.toString());
      mounted = false;
      assertThat(DeviceUse.of(Path.of(dev))).isEmpty();
      assertThat(DeviceUse.of(file)).isNotEmpty();
    } finally {
      if (mounted) {
        Tools.run("umount", mnt.toString());
      }
      Tools.run("losetup", "-d", dev);
    }
    assertThat(DeviceUse.of(file)).isEmpty();
    Imaging.restore(tmp.resolve("repo"), image, null, file);
    Tools.check("fsck.ext4", "-fn", file.toString());
  }

  @Test
  void a_whole_disk_restored_onto_a_device_has_its_partition_table_read_again() throws Exception {
    Manifest image = Imaging.image(tmp.resolve("repo"), Fixtures.gptDisk());
    Path file = Imaging.blank(tmp.resolve("blank.img"), 96);
    // -P: a loop device with partitions, like a disk (without, the kernel keeps no table for it)
    Tools.Result attach = Tools.run("losetup", "-P", "-f", "--show", file.toString());
    Assumptions.assumeTrue(attach.exit() == 0, "needs a loop device: " + attach.output());
    String dev = new String(attach.stdout()).trim();
    RestoreImage.Report r;
    try {
      r =
          new RestoreImage(Repository.open(tmp.resolve("repo"), null), Progress.NONE, none())
              .run(new RestoreImage.Options(image.id(), null, null, Path.of(dev), false));
    } finally {
      Tools.run("losetup", "-d", dev);
    }
    assertThat(r.partitionTable()).as("the kernel took the new table").isNull();
    Tools.check("sgdisk", "-v", file.toString());

    assertThat(BlockDevices.rereadPartitionTable(file))
        .as("a file has no partition table in the kernel")
        .startsWith("blockdev --rereadpt " + file + " failed");
  }

  @Test
  void a_partition_goes_onto_a_disk_without_a_table_but_never_over_one() throws Exception {
    Manifest image = Imaging.image(tmp.resolve("repo"), Fixtures.gptDisk());
    Path tabled = Fixtures.copyOf(Fixtures.gptDisk(), tmp);
    Path blank = Imaging.blank(tmp.resolve("stick.img"), 40);
    String before = sha256(tabled);
    Tools.Result a = Tools.run("losetup", "-f", "--show", tabled.toString());
    Assumptions.assumeTrue(a.exit() == 0, "needs a loop device: " + a.output());
    String overTable = new String(a.stdout()).trim();
    try {
      assertThatThrownBy(() -> Imaging.restore(tmp.resolve("repo"), image, 2, Path.of(overTable)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining(
              "is a whole disk with a GPT partition table of 3 partition(s); partition 2 would be"
                  + " written over it. Nothing was written");
    } finally {
      Tools.run("losetup", "-d", overTable);
    }
    assertThat(sha256(tabled)).isEqualTo(before);

    String stick =
        new String(Tools.check("losetup", "-f", "--show", blank.toString()).stdout()).trim();
    try {
      Imaging.restore(tmp.resolve("repo"), image, 2, Path.of(stick));
    } finally {
      Tools.run("losetup", "-d", stick);
    }
    Tools.check("fsck.ext4", "-fn", blank.toString());
  }

  @Test
  void a_target_that_does_not_exist_yet_is_used_by_nothing() {
    assertThat(DeviceUse.of(tmp.resolve("new-disk.img"))).isEmpty();
  }

  @Test
  void mountinfo_escapes_are_read_back() {
    assertThat(DeviceUse.unescape("/mnt/my\\040disk\\011x\\134y")).isEqualTo("/mnt/my disk\tx\\y");
    assertThat(DeviceUse.unescape("/plain")).isEqualTo("/plain");
    assertThat(DeviceUse.unescape("/odd\\04")).isEqualTo("/odd\\04");
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
