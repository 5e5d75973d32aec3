package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.ops.ExtractFiles;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An LVM2 physical volume made by the real lvm2 tools (on a loop device over an image file, with
 * activation off, since a machine without device-mapper can still write metadata): its logical
 * volumes are mapped by the filesystems in them, through their segments, and the extents no volume
 * uses are left out.
 */
class LvmTest {

  private static final long MIB = 1 << 20;
  private static final Map<String, String> LVM = Map.of("LVM_SUPPRESS_FD_WARNINGS", "1");

  @TempDir Path tmp;

  @Test
  void logical_volumes_are_imaged_by_their_filesystems_and_free_extents_left_out()
      throws IOException {
    Path disk = tmp.resolve("pv.img");
    Random rnd = new Random(2);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      byte[] old = new byte[(int) MIB]; // what the disk held before: the free extents keep it
      rnd.nextBytes(old);
      for (int i = 0; i < 256; i++) {
        f.write(old);
      }
    }
    String vg = "hftest" + ProcessHandle.current().pid();
    // root grows past swap and raw: its second segment lies behind them
    Map<String, List<long[]>> lvs =
        volumes(disk, vg, new String[][] {{"root", "64M"}, {"swap", "32M"}, {"raw", "8M"}}, "16M");
    assertThat(lvs.get("root")).hasSize(2);

    Path stage = Files.createDirectories(tmp.resolve("stage"));
    byte[] big = Imaging.random(3 * (int) MIB, rnd);
    Files.write(stage.resolve("big.bin"), big);
    byte[] stale = Imaging.random(2 * (int) MIB, rnd);
    Files.write(stage.resolve("stale.bin"), stale);
    Path root = blank("root.fs", 80);
    Tools.check("mkfs.ext4", "-q", "-F", "-d", stage.toString(), root.toString());
    Tools.check("debugfs", "-w", "-R", "rm /stale.bin", root.toString());
    Path swap = blank("swap.fs", 32);
    Tools.check("mkswap", "-U", "77777777-0000-1111-2222-333333333333", swap.toString());
    place(root, lvs.get("root"), disk);
    place(swap, lvs.get("swap"), disk);
    byte[] raw = read(disk, lvs.get("raw")); // old bytes that no filesystem claims

    Manifest m = Imaging.image(tmp.resolve("repo"), disk);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(0);
    assertThat(how.filesystem()).isEqualTo("lvm2");
    assertThat(how.method()).as("%s", how.note()).isEqualTo("used-blocks");
    assertThat(how.note())
        .contains("root ext4")
        .contains("swap swap 4096 bytes")
        .contains("raw kept whole (no supported filesystem)");
    // root's files (3 MiB and metadata), swap's header, raw's 8 MiB, the label and metadata area
    assertThat(m.usedBytes()).isBetween(12 * MIB, 40 * MIB);

    fuzzMetadata(disk);

    Path restored = Imaging.restore(tmp.resolve("repo"), m, null, tmp.resolve("restored.img"));
    Tools.Result again = Tools.run("losetup", "-f", "--show", restored.toString());
    assertThat(again.exit()).as(again.output()).isZero();
    String dev2 = new String(again.stdout()).trim();
    try {
      lvm("vgck", vg);
      assertThat(layout(dev2, vg)).containsOnlyKeys("root", "swap", "raw");
    } finally {
      Tools.run("losetup", "-d", dev2);
    }
    Path rootBack = tmp.resolve("root-restored.fs");
    Files.write(rootBack, read(restored, lvs.get("root")));
    Tools.check("fsck.ext4", "-fn", rootBack.toString());
    assertThat(Tools.run("debugfs", "-R", "cat /big.bin", rootBack.toString()).stdout())
        .isEqualTo(big);
    Path swapBack = tmp.resolve("swap-restored.fs");
    Files.write(swapBack, read(restored, lvs.get("swap")));
    assertThat(Tools.run("blkid", "-p", swapBack.toString()).output())
        .contains("UUID=\"77777777-0000-1111-2222-333333333333\"");
    assertThat(read(restored, lvs.get("raw"))).isEqualTo(raw);
    assertThat(indexOf(Files.readAllBytes(restored), Arrays.copyOf(stale, 4096)))
        .as("the deleted file's data")
        .isNegative();
  }

  /**
   * A disk as Red Hat's and Ubuntu's installers lay it out: a GPT partition holding an LVM physical
   * volume, with an ext4 root in two segments, swap, and an XFS home. Each logical volume with
   * files is a folder of the partition's root, and what is copied out of the image is what was put
   * into each filesystem.
   */
  @Test
  void the_files_of_logical_volumes_in_a_partition_come_out_of_the_image() throws IOException {
    Path pv = blank("pv.img", 448);
    String vg = "hffiles" + ProcessHandle.current().pid();
    Map<String, List<long[]>> lvs =
        volumes(pv, vg, new String[][] {{"root", "48M"}, {"swap", "16M"}, {"home", "320M"}}, "16M");
    assertThat(lvs.get("root")).hasSize(2);

    Random rnd = new Random(5);
    Path rootStage = Files.createDirectories(tmp.resolve("root-stage"));
    Files.createDirectories(rootStage.resolve("etc"));
    Files.writeString(rootStage.resolve("etc/hostname"), "rhel-like\n");
    Files.createSymbolicLink(
        rootStage.resolve("etc/localtime"), Path.of("/usr/share/zoneinfo/UTC"));
    Files.createDirectories(rootStage.resolve("var/lib"));
    // larger than the first segment's share of the filesystem, so it reaches into the second
    Files.write(rootStage.resolve("var/lib/db.bin"), Imaging.random(40 * (int) MIB, rnd));
    Path root = blank("root.fs", 64);
    Tools.check(
        "mkfs.ext4",
        "-q",
        "-F",
        "-E",
        "root_owner=0:0",
        "-d",
        rootStage.toString(),
        root.toString());
    Path swap = blank("swap.fs", 16);
    Tools.check("mkswap", swap.toString());

    // XFS filled from a protofile, as mkfs.xfs does without mounting
    Path homeStage = Files.createDirectories(tmp.resolve("home-stage"));
    Path alice = Files.createDirectories(homeStage.resolve("alice"));
    Files.write(alice.resolve("report.bin"), Imaging.random(3 * (int) MIB, rnd));
    Files.writeString(homeStage.resolve("notes.txt"), "home on xfs\n");
    Path proto =
        Files.writeString(
            tmp.resolve("proto"),
            "/dev/null\n0 0\nd--755 0 0\n"
                + "notes.txt ---644 0 0 "
                + homeStage.resolve("notes.txt")
                + "\n"
                + "alice d--750 1000 1000\n"
                + "report.bin ---600 1000 1000 "
                + alice.resolve("report.bin")
                + "\n"
                + "$\n$\n");
    Path home = blank("home.fs", 320);
    Tools.check("mkfs.xfs", "-q", "-f", "-p", proto.toString(), home.toString());
    place(root, lvs.get("root"), pv);
    place(swap, lvs.get("swap"), pv);
    place(home, lvs.get("home"), pv);

    // an EFI partition, then the physical volume in partition 2
    Path disk = blank("disk.img", 1 + 32 + 448 + 1);
    Tools.check(
        "sgdisk",
        "-n",
        "1:2048:+32M",
        "-t",
        "1:ef00",
        "-n",
        "2:0:0",
        "-t",
        "2:8e00",
        disk.toString());
    Matcher first =
        Pattern.compile("First sector: (\\d+)")
            .matcher(Tools.check("sgdisk", "-i", "2", disk.toString()).output());
    assertThat(first.find()).isTrue();
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(Long.parseLong(first.group(1)) * 512);
      f.write(Files.readAllBytes(pv));
    }

    Path repo = tmp.resolve("repo");
    Manifest m = Imaging.image(repo, disk);
    UsedBlocks.PartitionImaging how = m.disks().get(0).imaging().get(1);
    assertThat(how.filesystem()).isEqualTo("lvm2");
    assertThat(how.note()).contains("root ext4").contains("home xfs").contains("swap swap");
    assertThat(io.holdfast.engine.ops.ImageFiles.listable(how.filesystem())).isTrue();

    Repository r = Repository.open(repo, null);
    FileTree tree = io.holdfast.engine.ops.ImageFiles.open(r, m.id(), null, 2);
    assertThat(tree.list(tree.root()))
        .extracting(FileEntry::path)
        .as("swap holds no files")
        .containsExactly("/home", "/root");
    assertThat(tree.find("/root/etc/localtime").link()).isEqualTo("/usr/share/zoneinfo/UTC");
    assertThat(tree.find("/home/alice").mode() & 0777).isEqualTo(0750);
    assertThat(tree.find("/home/alice").uid()).isEqualTo(1000);
    assertThatThrownBy(() -> tree.find("/swap/anything"))
        .isInstanceOf(EngineException.class)
        .hasMessage("The files of logical volume swap cannot be listed: swap.");
    assertThatThrownBy(() -> tree.find("/data"))
        .isInstanceOf(EngineException.class)
        .hasMessage(
            "There is no logical volume data here; the logical volumes with files are root, home.");
    assertThatThrownBy(() -> tree.find("/home/bob"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("/home/bob")
        .hasMessageContaining("xfs filesystem of logical volume home");
    // without a partition named, the one partition with files is taken
    assertThat(io.holdfast.engine.ops.ImageFiles.open(r, m.id(), null, null).filesystem())
        .isEqualTo("lvm2");

    Path out = tmp.resolve("out");
    ExtractFiles.Report report =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(report.failed()).isEmpty();
    assertThat(report.files()).isEqualTo(4);
    Files.delete(out.resolve("root/lost+found"));
    for (String[] same :
        new String[][] {
          {"root/etc/hostname", "etc/hostname"},
          {"root/var/lib/db.bin", "var/lib/db.bin"},
        }) {
      assertThat(Files.mismatch(out.resolve(same[0]), rootStage.resolve(same[1])))
          .as(same[0])
          .isEqualTo(-1L);
    }
    assertThat(Files.readSymbolicLink(out.resolve("root/etc/localtime")))
        .isEqualTo(Path.of("/usr/share/zoneinfo/UTC"));
    assertThat(Files.mismatch(out.resolve("home/alice/report.bin"), alice.resolve("report.bin")))
        .isEqualTo(-1L);
    assertThat(Files.readString(out.resolve("home/notes.txt"))).isEqualTo("home on xfs\n");
    assertThat(
            Files.getPosixFilePermissions(out.resolve("home/alice/report.bin")).stream()
                .map(Enum::name)
                .sorted()
                .toList())
        .containsExactly("OWNER_READ", "OWNER_WRITE");
  }

  /**
   * Seeded mutations of the metadata text, each with its checksum made right again so that the
   * parser, not the checksum, meets it: nothing escapes, nothing hangs, and a partition mapped
   * sector by sector says why.
   */
  private static void fuzzMetadata(Path disk) throws IOException {
    Path copy = disk.resolveSibling("fuzz.img");
    Files.copy(disk, copy);
    try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
      byte[] label = new byte[512];
      f.seek(512); // lvm2 writes its label in sector 1
      f.readFully(label);
      java.nio.ByteBuffer l =
          java.nio.ByteBuffer.wrap(label).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      long mda = l.getLong(32 + 40 + 16 + 16); // after the pv id, size and one data area
      byte[] header = new byte[512];
      f.seek(mda);
      f.readFully(header);
      java.nio.ByteBuffer h =
          java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      long textAt = mda + h.getLong(40);
      int size = (int) h.getLong(48);
      byte[] text = new byte[size];
      f.seek(textAt);
      f.readFully(text);
      Random rnd = new Random(77);
      java.util.Set<String> methods = new java.util.HashSet<>();
      for (int round = 0; round < 300; round++) {
        byte[] t = text.clone();
        for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
          int at = rnd.nextInt(t.length);
          t[at] =
              (byte)
                  (rnd.nextBoolean()
                      ? "{}[]=\",#0123456789a".charAt(rnd.nextInt(19))
                      : rnd.nextInt(256));
        }
        f.seek(textAt);
        f.write(t);
        h.putInt(56, (int) Lvm.crc(t));
        f.seek(mda);
        f.write(header);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(10),
            () -> {
              try (io.holdfast.engine.disk.DiskSource d =
                  io.holdfast.engine.disk.DiskSource.open(copy)) {
                UsedBlocks.DiskMap map =
                    UsedBlocks.map(d, io.holdfast.engine.disk.PartitionTables.read(d));
                assertThat(map.used().bytes()).isBetween(0L, d.size());
                UsedBlocks.PartitionImaging p = map.partitions().get(0);
                methods.add(p.method());
                if (p.method().equals("all-sectors")) {
                  assertThat(p.note()).isNotBlank();
                }
                // listing its files meets the same metadata: refused in words, or listed
                try {
                  FileTree files = FileTree.open(d, 0, d.size());
                  for (FileEntry e : files.list(files.root())) {
                    files.list(e);
                  }
                } catch (EngineException refused) {
                  assertThat(refused.getMessage()).isNotBlank();
                }
              }
            });
      }
      // some mutations still parse (a changed name or uuid), others are refused
      assertThat(methods).containsExactlyInAnyOrder("used-blocks", "all-sectors");
    } finally {
      Files.delete(copy);
    }
  }

  /**
   * Makes {@code disk} an LVM physical volume of a new volume group {@code vg} with the logical
   * volumes {@code {name, size}} made in that order, then grows the first by {@code grow} so that
   * its second segment lies behind the others; gives each volume's pieces on the disk.
   */
  private static Map<String, List<long[]>> volumes(
      Path disk, String vg, String[][] volumes, String grow) {
    Tools.Result attach = Tools.run("losetup", "-f", "--show", disk.toString());
    Assumptions.assumeTrue(
        attach.exit() == 0 && Files.exists(Path.of("/sbin/lvcreate")),
        "needs a loop device and lvm2: " + attach.output());
    String dev = attach.stdout().length > 0 ? new String(attach.stdout()).trim() : "";
    try {
      lvm("pvcreate", "-q", "-ff", "-y", dev);
      lvm("vgcreate", "-q", vg, dev);
      for (String[] lv : volumes) {
        lvm(
            "lvcreate",
            "-q",
            "-an",
            "--zero",
            "n",
            "--driverloaded",
            "n",
            "-L",
            lv[1],
            "-n",
            lv[0],
            vg);
      }
      lvm("lvextend", "-q", "--driverloaded", "n", "-L", "+" + grow, vg + "/" + volumes[0][0]);
      return layout(dev, vg);
    } finally {
      Tools.run(LVM, "vgchange", "-an", "--driverloaded", "n", vg);
      Tools.run("losetup", "-d", dev);
    }
  }

  /** Each volume's pieces on the disk, from pvs and lvs. */
  private static Map<String, List<long[]>> layout(String dev, String vg) {
    Tools.Result pv =
        Tools.run(
            LVM,
            "pvs",
            "--noheadings",
            "--units",
            "b",
            "--nosuffix",
            "-o",
            "pe_start,vg_extent_size",
            dev);
    String[] f = pv.output().trim().split("\\s+");
    long peStart = Long.parseLong(f[0]);
    long extent = Long.parseLong(f[1]);
    Tools.Result lv =
        Tools.run(
            LVM, "lvs", "--noheadings", "-o", "lv_name,seg_pe_ranges", "--driverloaded", "n", vg);
    Map<String, List<long[]>> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(\\w+)\\s+\\S+:(\\d+)-(\\d+)").matcher(lv.output());
    while (m.find()) {
      long first = Long.parseLong(m.group(2));
      long last = Long.parseLong(m.group(3));
      out.computeIfAbsent(m.group(1), k -> new ArrayList<>())
          .add(new long[] {peStart + first * extent, (last - first + 1) * extent});
    }
    assertThat(out).as(lv.output()).isNotEmpty();
    return out;
  }

  private Path blank(String name, int mib) throws IOException {
    return Imaging.blank(tmp.resolve(name), mib);
  }

  private static void place(Path volume, List<long[]> pieces, Path disk) throws IOException {
    byte[] all = Files.readAllBytes(volume);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      int at = 0;
      for (long[] piece : pieces) {
        f.seek(piece[0]);
        f.write(all, at, (int) piece[1]);
        at += (int) piece[1];
      }
    }
  }

  private static byte[] read(Path disk, List<long[]> pieces) throws IOException {
    long total = pieces.stream().mapToLong(p -> p[1]).sum();
    byte[] out = new byte[(int) total];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      int at = 0;
      for (long[] piece : pieces) {
        f.seek(piece[0]);
        f.readFully(out, at, (int) piece[1]);
        at += (int) piece[1];
      }
    }
    return out;
  }

  private static int indexOf(byte[] all, byte[] block) {
    for (int at = 0; at + block.length <= all.length; at += 1024) {
      if (Arrays.equals(all, at, at + block.length, block, 0, block.length)) {
        return at;
      }
    }
    return -1;
  }

  private static void lvm(String... cmd) {
    Tools.Result r = Tools.run(LVM, cmd);
    assertThat(r.exit()).as("%s: %s", String.join(" ", cmd), r.output()).isZero();
  }
}
