package io.holdfast.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Tools;
import io.holdfast.engine.disk.DiskSource;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutation fuzzing of the file listings: bytes of a filesystem's metadata (superblock,
 * descriptors, inodes, extent blocks, folders, FATs, MFT records, index blocks) are changed at
 * random, and the whole tree is listed and every file read. Nothing may escape but the engine's own
 * exception, and nothing may hang.
 */
class FileTreeFuzzTest {

  private static final long SEED = 20261204L;

  /** The byte every staged file is made of, so that data blocks can be told from metadata. */
  private static final byte FILL = (byte) 0xAB;

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"ext4", "ext2", "xfs", "btrfs", "fat16", "fat32", "exfat", "ntfs"})
  void mutated_metadata_never_crashes_a_listing_or_a_read(String kind) throws IOException {
    Path fs = made(kind);
    // the blocks of metadata: not zero, not file data
    List<Long> hot = new ArrayList<>();
    byte[] data = new byte[512];
    Arrays.fill(data, FILL);
    try (java.io.InputStream in = Files.newInputStream(fs)) {
      byte[] b = new byte[512];
      for (long at = 0; in.readNBytes(b, 0, 512) == 512; at += 512) {
        if (!Arrays.equals(b, data) && !Arrays.equals(b, new byte[512])) {
          hot.add(at);
        }
      }
    }
    assertThat(walk(fs)).as("the unchanged filesystem lists in full").isGreaterThan(60);
    // btrfs checks a CRC32C over each tree node: a mutated node gets a right one again, so that
    // the reader, not the checksum, meets the mutation
    Map<Long, Integer> nodes = kind.equals("btrfs") ? btrfsNodes(fs) : Map.of();
    Random rnd = new Random(Long.getLong("holdfast.fuzz.seed", SEED) ^ kind.hashCode());
    int refused = 0;
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      for (int round = 0; round < 3000; round++) {
        int flips = 1 + rnd.nextInt(6);
        long[] at = new long[flips];
        int[] old = new int[flips];
        Map<Long, byte[]> saved = new java.util.HashMap<>();
        for (int i = 0; i < flips; i++) {
          at[i] = hot.get(rnd.nextInt(hot.size())) + rnd.nextInt(512);
          Map.Entry<Long, Integer> node = nodeAt(nodes, at[i]);
          if (node != null && !saved.containsKey(node.getKey())) {
            byte[] b = new byte[node.getValue()];
            f.seek(node.getKey());
            f.readFully(b);
            saved.put(node.getKey(), b);
          }
          f.seek(at[i]);
          old[i] = f.read();
          f.seek(at[i]);
          f.write(rnd.nextBoolean() ? rnd.nextInt(256) : old[i] ^ (1 << rnd.nextInt(8)));
        }
        for (Long start : saved.keySet()) {
          byte[] b = new byte[nodes.get(start)];
          f.seek(start);
          f.readFully(b);
          java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
          crc.update(b, 32, b.length - 32);
          f.seek(start);
          f.write(
              java.nio.ByteBuffer.allocate(4)
                  .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                  .putInt((int) crc.getValue())
                  .array());
        }
        try {
          assertTimeoutPreemptively(Duration.ofSeconds(10), () -> walk(fs));
        } catch (EngineException expected) {
          assertThat(expected.getMessage()).isNotBlank();
          refused++;
        }
        for (int i = flips - 1; i >= 0; i--) {
          f.seek(at[i]);
          f.write(old[i]);
        }
        for (Map.Entry<Long, byte[]> e : saved.entrySet()) {
          f.seek(e.getKey());
          f.write(e.getValue());
        }
      }
    }
    assertThat(refused).as("some mutations are noticed").isPositive();
  }

  /**
   * Where btrfs's checksummed blocks start and how long each is: the superblock (4 KiB at 64 KiB)
   * and every tree node, found by the filesystem id it carries.
   */
  private static Map<Long, Integer> btrfsNodes(Path fs) throws IOException {
    byte[] all = Files.readAllBytes(fs);
    byte[] fsid = Arrays.copyOfRange(all, 0x10000 + 0x20, 0x10000 + 0x30);
    int nodeSize =
        java.nio.ByteBuffer.wrap(all, 0x10000 + 0x94, 4)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .getInt();
    Map<Long, Integer> out = new java.util.TreeMap<>();
    out.put(0x10000L, 4096);
    for (int at = 0; at + nodeSize <= all.length; at += nodeSize) {
      if (at != 0 && Arrays.equals(all, at + 0x20, at + 0x30, fsid, 0, 16)) {
        out.put((long) at, nodeSize);
      }
    }
    assertThat(out).hasSizeGreaterThan(4);
    return out;
  }

  private static Map.Entry<Long, Integer> nodeAt(Map<Long, Integer> nodes, long at) {
    if (nodes.isEmpty()) {
      return null;
    }
    Map.Entry<Long, Integer> e = ((java.util.TreeMap<Long, Integer>) nodes).floorEntry(at);
    return e != null && at < e.getKey() + e.getValue() && at >= e.getKey() + 32 ? e : null;
  }

  /** Lists every folder and reads every file; returns how many entries it saw. */
  private static int walk(Path fs) {
    try (DiskSource d = DiskSource.open(fs)) {
      FileTree t = FileTree.open(d, 0, d.size());
      return walk(t, t.root(), 0);
    }
  }

  private static int walk(FileTree t, FileEntry dir, int depth) {
    if (depth > 16) {
      return 0; // a damaged folder may name its parent; the copy guards against that itself
    }
    int n = 0;
    for (FileEntry e : t.list(dir)) {
      n++;
      if (e.isDirectory()) {
        n += walk(t, e, depth + 1);
      } else if (e.kind() == FileEntry.Kind.FILE && e.size() < (64L << 20)) {
        t.read(e, (at, b, off, len) -> {});
      }
      t.attributes(e);
    }
    return n;
  }

  private Path made(String kind) throws IOException {
    Path stage = Files.createDirectories(tmp.resolve("stage"));
    byte[] fill = new byte[40 * 1024];
    Arrays.fill(fill, FILL);
    for (int d = 0; d < 3; d++) {
      Path dir = Files.createDirectories(stage.resolve("folder-" + d + "/inner"));
      for (int i = 0; i < 24; i++) {
        Files.write(
            dir.resolve("a rather long file name " + i + ".bin"),
            Arrays.copyOf(fill, 100 + i * 1500));
      }
    }
    Files.write(stage.resolve("big.bin"), Arrays.copyOf(fill, 3 << 20));
    // extended attributes for ext4 and btrfs: short ones in the inode, a long one in a block of
    // its own, and an ACL
    Path inner = stage.resolve("folder-0/inner");
    Tools.check(
        "setfattr", "-n", "user.note", "-v", "short", inner + "/a rather long file name 0.bin");
    Tools.check(
        "setfattr",
        "-n",
        "user.long",
        "-v",
        "0x" + "ab".repeat(700),
        inner + "/a rather long file name 1.bin");
    Tools.check(
        "setfattr",
        "-n",
        "system.posix_acl_access",
        "-v",
        "0x0200000001000700ffffffff02000500d204000004000500ffffffff10000500ffffffff20000000ffffffff",
        inner.toString());
    Path fs =
        Imaging.blank(
            tmp.resolve(kind + ".img"),
            switch (kind) {
              case "xfs" -> 320;
              case "btrfs" -> 128;
              case "fat32" -> 40;
              default -> 16;
            });
    switch (kind) {
      case "ext4", "ext2" ->
          Tools.check(
              "mkfs.ext4",
              "-q",
              "-F",
              "-t",
              kind,
              "-b",
              "1024",
              "-d",
              stage.toString(),
              fs.toString());
      case "fat16", "fat32" -> {
        Tools.check("mkfs.fat", "-s", "1", "-F", kind.substring(3), fs.toString());
        for (int d = 0; d < 3; d++) {
          Tools.check(
              "mcopy", "-s", "-i", fs.toString(), stage.resolve("folder-" + d).toString(), "::/");
        }
        Tools.check("mcopy", "-i", fs.toString(), stage.resolve("big.bin").toString(), "::/");
      }
      case "xfs" -> {
        Tools.check("mkfs.xfs", "-q", "-f", fs.toString());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Tools.Result mount = Tools.run("mount", "-o", "loop", fs.toString(), mnt.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(
            mount.exit() == 0, "cannot mount XFS here: " + mount.output());
        try {
          // attributes in the inode only: XFS keeps a long one in blocks, which are not read
          Tools.check(
              "setfattr",
              "-x",
              "user.long",
              stage + "/folder-0/inner/a rather long file name 1.bin");
          Tools.check("cp", "-r", "--preserve=xattr", stage + "/.", mnt.toString());
        } finally {
          Tools.check("umount", mnt.toString());
        }
      }
      case "btrfs" -> {
        Tools.check("mkfs.btrfs", "-q", "-f", fs.toString());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Tools.Result mount =
            Tools.run("mount", "-o", "loop,compress=zstd", fs.toString(), mnt.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(
            mount.exit() == 0, "cannot mount btrfs here: " + mount.output());
        try {
          Tools.check("btrfs", "subvolume", "create", mnt.resolve("sub").toString());
          Tools.check("cp", "-r", "--preserve=xattr", stage + "/.", mnt.resolve("sub").toString());
          Path zlib = Files.createDirectories(mnt.resolve("zlib"));
          Tools.check("btrfs", "property", "set", zlib.toString(), "compression", "zlib");
          Tools.check("cp", "-r", stage.resolve("folder-0").toString(), zlib.toString());
          Path lzo = Files.createDirectories(mnt.resolve("lzo"));
          Tools.check("btrfs", "property", "set", lzo.toString(), "compression", "lzo");
          Tools.check("cp", "-r", stage.resolve("folder-1").toString(), lzo.toString());
        } finally {
          Tools.check("umount", mnt.toString());
        }
      }
      case "exfat" -> {
        Tools.check("mkfs.exfat", "-c", "4K", fs.toString());
        Tools.Result attach = Tools.run("losetup", "-f", "--show", fs.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(
            attach.exit() == 0 && Files.exists(Path.of("/dev/fuse")),
            "needs a loop device and FUSE: " + attach.output());
        String device =
            new String(attach.stdout(), java.nio.charset.StandardCharsets.US_ASCII).trim();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try {
          Tools.Result mount = Tools.run("mount.exfat-fuse", device, mnt.toString());
          org.junit.jupiter.api.Assumptions.assumeTrue(
              mount.exit() == 0, "exfat-fuse cannot mount here: " + mount.output());
          try {
            Tools.check("cp", "-r", stage + "/.", mnt.toString());
          } finally {
            Tools.check("umount", mnt.toString());
          }
        } finally {
          Tools.run("losetup", "-d", device);
        }
      }
      default -> {
        Tools.check("mkntfs", "-q", "-F", "-f", fs.toString());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Tools.Result mount =
            Tools.run(Map.of(), "ntfs-3g", "-o", "compression", fs.toString(), mnt.toString());
        org.junit.jupiter.api.Assumptions.assumeTrue(
            mount.exit() == 0, "ntfs-3g cannot mount here: " + mount.output());
        try {
          // one folder compressed (LZNT1): its files' compressed units are fuzzed too
          Path packed = Files.createDirectories(mnt.resolve("packed"));
          Tools.check(
              "setfattr",
              "-h",
              "-v",
              "0x00000810",
              "-n",
              "system.ntfs_attrib_be",
              packed.toString());
          Tools.check("cp", "-r", stage.resolve("folder-0").toString(), packed.toString());
          Tools.check("cp", "-r", stage + "/.", mnt.toString());
          // a sparse file of 400 islands: its runs spill into extension records ($ATTRIBUTE_LIST)
          try (java.nio.channels.FileChannel ch =
              java.nio.channels.FileChannel.open(
                  mnt.resolve("islands.bin"),
                  java.nio.file.StandardOpenOption.CREATE_NEW,
                  java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < 400; i++) {
              ch.write(java.nio.ByteBuffer.wrap(Arrays.copyOf(fill, 4096)), i * 65536L);
            }
          }
        } finally {
          Tools.check("umount", mnt.toString());
        }
      }
    }
    return fs;
  }
}
